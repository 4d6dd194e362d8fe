#!/usr/bin/env node
// `npm run bench`: runs every benchmark under bench/ in its own process (so peak memory is its own), in order.
// Extra arguments (such as --quick) are passed to each benchmark.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const benches = readdirSync(join(root, "bench"))
  .filter((name) => name.endsWith(".ts"))
  .sort();
let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench/${name}`);
  const result = spawnSync(process.execPath, ["--import", "tsx", join("bench", name), ...process.argv.slice(2)], {
    cwd: root,
    stdio: "inherit",
  });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
