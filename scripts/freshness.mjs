// When the built outputs (dist/ for the platform, web/dist/ for the console) are older than their sources.
// Shared by scripts/build.mjs (`npm run build`, and `npm start`'s prestart that builds only what is stale) and
// bin/alixan.js (which runs the sources through tsx, in a checkout, while dist/ is stale). Rule: an output is fresh
// when no source file changed after the build read its sources; a `git pull`, checkout or edit touches the file's
// modification time, so it makes the output stale.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** The stamp the build writes last into dist/: the newest source modification time it compiled. */
export const stampName = ".build-stamp.json";

/** Newest modification time (ms) of the files below `path` (directories' own times do not count), skipping names `skip` rejects. */
export function newestModification(path, skip = () => false) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (skip(entry.name, entry.isDirectory())) continue;
    newest = Math.max(newest, newestModification(join(path, entry.name), skip));
  }
  return newest;
}

/** Whether a file below src/ goes into dist/ (tests and test doubles do not). */
export function skipPlatformSource(name, isDirectory) {
  if (isDirectory) return name === "testing" || name === "node_modules" || name.startsWith(".");
  return name.endsWith(".test.ts") || !(name.endsWith(".ts") || name.endsWith(".yaml"));
}

/** Newest modification time of what dist/ is built from: src/ (without tests) and the TypeScript configuration. */
export function newestPlatformSource(root) {
  return Math.max(
    newestModification(join(root, "src"), skipPlatformSource),
    statSync(join(root, "tsconfig.json")).mtimeMs,
    statSync(join(root, "tsconfig.build.json")).mtimeMs,
  );
}

/** Whether `distDirectory` holds a complete build at least as new as the sources under `root`. */
export function platformBuildFresh(root, distDirectory = join(root, "dist")) {
  const stamp = join(distDirectory, stampName);
  if (!existsSync(stamp)) return false;
  const { sourcesNewestMs } = JSON.parse(readFileSync(stamp, "utf8"));
  return typeof sourcesNewestMs === "number" && newestPlatformSource(root) <= sourcesNewestMs;
}

/** Newest modification time of the console's sources (web/ without its build output). */
export function newestConsoleSource(root) {
  return newestModification(join(root, "web"), (name) => name === "dist" || name === "node_modules");
}

/** Whether web/dist holds a console build newer than every console source (the rule test/browser uses too). */
export function consoleBuildFresh(root, consoleDirectory = join(root, "web", "dist")) {
  const index = join(consoleDirectory, "index.html");
  return existsSync(index) && statSync(index).mtimeMs >= newestConsoleSource(root);
}
