#!/usr/bin/env node
// Entry for `npx alixan`: registers tsx so the TypeScript sources run as they are, without a build step.
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
