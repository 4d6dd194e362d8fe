// TypeBox for the test processes, bundled. TypeBox is about 700 module files, and under `node --import tsx` every
// module passes through tsx's loader hooks (a thread of their own in Node 20, one message each way per module): about
// 1 s of CPU in each test file that loads it, well over 100 s per `npm test`. As scripts/build.mjs does for dist/,
// the TypeBox entry points the sources import are bundled with esbuild (one shared chunk, the same code), once per
// TypeBox version, and a tsconfig whose `paths` point those entries at the bundle is handed to tsx (TSX_TSCONFIG_PATH)
// by scripts/run-tests.mjs. Only the sources import TypeBox (no dependency does), so a process holds one copy of it.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

const specifier = /(?:\bfrom\s*|\bimport\s*\(\s*)"(typebox(?:\/[a-z]+)?)"/g;

/** The TypeBox entry points (`typebox`, `typebox/value`, ...) the TypeScript files below `directories` import. */
export function typeboxEntries(directories) {
  const entries = new Set();
  const visit = (directory) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const path = join(directory, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith(".ts"))
        for (const match of readFileSync(path, "utf8").matchAll(specifier)) entries.add(match[1]);
    }
  };
  for (const directory of directories) if (existsSync(directory)) visit(directory);
  return [...entries].sort();
}

/**
 * Bundles the TypeBox entries the checkout at `root` imports into `outDirectory` (kept while TypeBox's version and the
 * entries stay the same) and writes the tsconfig for tsx there; returns its path, or undefined when esbuild or
 * TypeBox is missing (the tests then load TypeBox from node_modules, only slower).
 */
export function typeboxTsconfig(root, outDirectory) {
  const require = createRequire(join(root, "package.json"));
  let esbuild;
  let version;
  try {
    esbuild = require("esbuild");
    version = JSON.parse(readFileSync(join(root, "node_modules", "typebox", "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
  const entries = typeboxEntries(["src", "test", "bench", "scripts"].map((name) => join(root, name)));
  const fileOf = (name) => (name === "typebox" ? "index" : name.slice("typebox/".length));
  const key = JSON.stringify({ version, entries });
  const bundle = join(outDirectory, "typebox");
  const keyFile = join(bundle, "key.json");
  if (!existsSync(keyFile) || readFileSync(keyFile, "utf8") !== key) {
    // Written beside and renamed into place: a run that stopped half-way leaves no half bundle behind.
    const partial = `${bundle}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    esbuild.buildSync({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(entries.map((name) => [fileOf(name), name])),
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "node",
      target: "node20",
      outdir: partial,
      logLevel: "warning",
      legalComments: "inline",
    });
    // The bundle's .js files are ES modules: outside a "type": "module" package Node would read them as CommonJS.
    writeFileSync(join(partial, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(partial, "key.json"), key);
    rmSync(bundle, { recursive: true, force: true });
    renameSync(partial, bundle);
  }
  const tsconfig = join(outDirectory, "tsconfig.json");
  const paths = Object.fromEntries(entries.map((name) => [name, [`./typebox/${fileOf(name)}.js`]]));
  const text = `${JSON.stringify(
    { extends: relative(outDirectory, join(root, "tsconfig.json")), compilerOptions: { paths } },
    null,
    2,
  )}\n`;
  mkdirSync(outDirectory, { recursive: true });
  if (!existsSync(tsconfig) || readFileSync(tsconfig, "utf8") !== text) writeFileSync(tsconfig, text);
  return tsconfig;
}
