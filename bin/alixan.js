#!/usr/bin/env node
// Entry for `alixan` (`npx alixan`, the published package's bin): runs the compiled build in dist/ (`npm run build`).
// In a source checkout (src/ present) whose dist/ is missing or older than a source file, it runs the TypeScript
// sources through tsx instead (a development dependency), so an edit, a pull or a fresh clone never runs stale code.
// Without tsx (a checkout installed with --omit=dev) a stale dist/ still runs, with a warning.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = new URL("..", import.meta.url);
const compiled = new URL("dist/cli/main.js", root);
let main = compiled;
if (existsSync(new URL("src/cli/main.ts", root))) {
  const { platformBuildFresh } = await import("../scripts/freshness.mjs");
  if (!platformBuildFresh(fileURLToPath(root))) {
    try {
      const { register } = await import("tsx/esm/api");
      register();
      main = new URL("src/cli/main.ts", root);
    } catch {
      if (!existsSync(compiled)) {
        process.stderr.write(
          "alixan: dist/ is not built and tsx is not installed: run npm install, then npm run build\n",
        );
        process.exit(1);
      }
      process.stderr.write("alixan: dist/ is older than src/ (npm run build updates it); running it anyway\n");
    }
  }
}
const { runCli } = await import(main.href);
process.exitCode = await runCli(process.argv.slice(2));
