#!/usr/bin/env node
// Entry for `alixan` (`npx alixan`, the published package's bin): runs the compiled build in dist/ (`npm run build`).
// In a source checkout (src/ present) whose dist/ is missing or older than a source file, it runs the TypeScript
// sources through tsx instead (a development dependency), so an edit, a pull or a fresh clone never runs stale code.
import { existsSync } from "node:fs";

const root = new URL("..", import.meta.url);
let main = new URL("dist/cli/main.js", root);
if (existsSync(new URL("src/cli/main.ts", root))) {
  const { platformBuildFresh } = await import("../scripts/freshness.mjs");
  if (!platformBuildFresh(new URL(".", root).pathname)) {
    const { register } = await import("tsx/esm/api");
    register();
    main = new URL("src/cli/main.ts", root);
  }
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
