#!/usr/bin/env node
// `npm run build`: compiles the platform (src/ → dist/ with tsc and tsconfig.build.json, plus the YAML data files that
// sit beside the code, such as the shipped twin scenarios) and builds the web console (web/ → web/dist with vite).
// bin/alixan.js runs dist/; the server serves web/dist.
//   --if-stale   build only the outputs older than their sources (scripts/freshness.mjs); `npm start` runs this first
//   --no-check   emit without type-checking (tsc --noCheck: about half the time; `npm run typecheck` checks)
//   --out DIR    write DIR/dist and DIR/web/dist instead of the checkout's (test/package.test.ts stages a package)
// dist/ is written to a sibling folder and renamed into place when complete, so a process starting meanwhile sees
// the old build or none (bin/alixan.js then runs the sources), never half of one.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  consoleBuildFresh,
  newestPlatformSource,
  platformBuildFresh,
  skipPlatformSource,
  stampName,
} from "./freshness.mjs";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  options: {
    "if-stale": { type: "boolean", default: false },
    "no-check": { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const outRoot = resolve(values.out ?? root);
const distDirectory = join(outRoot, "dist");
const consoleDirectory = join(outRoot, "web", "dist");
const require = createRequire(import.meta.url);

/** The path of a development tool's script, or undefined after a production install (`npm ci --omit=dev`). */
function tool(packageName, script) {
  try {
    return join(dirname(require.resolve(`${packageName}/package.json`)), script);
  } catch {
    return undefined;
  }
}

/** Runs a tool with this Node; exits with its status when it fails. */
function run(label, script, args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`build: ${label} failed`);
    process.exit(result.status ?? 1);
  }
  console.error(`build: ${label} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Copies the YAML files below src/ (data the code reads beside itself) to the same place below `target`. */
function copyData(directory, target) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (skipPlatformSource(entry.name, entry.isDirectory())) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) copyData(path, target);
    else if (entry.name.endsWith(".yaml")) {
      const destination = join(target, relative(join(root, "src"), path));
      mkdirSync(dirname(destination), { recursive: true });
      cpSync(path, destination);
    }
  }
}

/** Compiles src/ into dist/ (replaced whole once complete) and stamps it with the newest source it read. */
function buildPlatform() {
  const tsc = tool("typescript", "bin/tsc");
  if (tsc === undefined) return missingTool("dist/", "typescript", existsSync(join(distDirectory, stampName)));
  const sourcesNewestMs = newestPlatformSource(root);
  const partial = `${distDirectory}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  const args = ["-p", join(root, "tsconfig.build.json"), "--outDir", partial];
  run(
    `platform (tsc${values["no-check"] ? " --noCheck" : ""})`,
    tsc,
    values["no-check"] ? [...args, "--noCheck"] : args,
  );
  copyData(join(root, "src"), partial);
  bundleVendors(partial);
  writeFileSync(join(partial, stampName), `${JSON.stringify({ sourcesNewestMs })}\n`);
  const previous = `${distDirectory}.previous-${process.pid}`;
  if (existsSync(distDirectory)) renameSync(distDirectory, previous);
  renameSync(partial, distDirectory);
  rmSync(previous, { recursive: true, force: true });
}

/** JavaScript files below a folder. */
function scriptsBelow(directory) {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".js"))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name));
}

/** esbuild (a development dependency), or undefined after a production install. */
function loadEsbuild() {
  try {
    return require("esbuild");
  } catch {
    return undefined;
  }
}

/** Points the imports `specifier` matches (group 2: the package specifier) in `files` at `fileOf(specifier)`. */
function redirectImports(files, specifier, fileOf) {
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const rewritten = text.replace(specifier, (_, lead, name) => {
      const path = relative(dirname(file), fileOf(name));
      return `${lead}"${path.startsWith(".") ? path : `./${path}`}"`;
    });
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
}

/**
 * TypeBox is about 700 module files: loading them costs a command like `site show` several times what loading YAML
 * does (0.5 s of CPU on a busy machine against 0.05 s for one bundled file). The build bundles the TypeBox entry
 * points the compiled code imports into dist/vendor/typebox/ (esbuild, one shared chunk) and points the imports
 * there. TypeBox schemas are plain objects, so a Fastify plugin using node_modules' copy reads them the same.
 */
function bundleTypebox(target, esbuild) {
  const specifier = /(\bfrom\s*|\bimport\s*\(\s*)"(typebox(?:\/[a-z]+)?)"/g;
  const files = scriptsBelow(target);
  const entries = new Set();
  for (const file of files) for (const match of readFileSync(file, "utf8").matchAll(specifier)) entries.add(match[2]);
  if (entries.size === 0) return;
  const started = performance.now();
  const vendor = join(target, "vendor", "typebox");
  const entryName = (name) => (name === "typebox" ? "index" : name.slice("typebox/".length));
  esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: Object.fromEntries([...entries].map((name) => [entryName(name), name])),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outdir: vendor,
    logLevel: "warning",
    legalComments: "inline",
  });
  redirectImports(files, specifier, (name) => join(vendor, `${entryName(name)}.js`));
  console.error(
    `build: TypeBox bundled into dist/vendor/typebox in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

/**
 * YAML's Node build is 72 CommonJS files; Node resolves, reads and compiles each through its CommonJS loader,
 * which costs `site show` more CPU than the one ES module the build bundles them into, dist/vendor/yaml/index.js
 * (the same code: YAML's Node build, with the same named exports). The compiled code's `yaml` imports point there.
 */
function bundleYaml(target, esbuild) {
  const specifier = /(\bfrom\s*|\bimport\s*\(\s*)"(yaml)"/g;
  const files = scriptsBelow(target).filter((file) => readFileSync(file, "utf8").search(specifier) >= 0);
  if (files.length === 0) return;
  const started = performance.now();
  const vendor = join(target, "vendor", "yaml");
  // A CommonJS package has no static export list: name every export of the package as it loads in Node.
  const names = Object.keys(require("yaml")).filter((name) => name !== "default" && /^[A-Za-z_$][\w$]*$/.test(name));
  esbuild.buildSync({
    absWorkingDir: root,
    stdin: {
      contents: `import yaml from "yaml";\nexport const { ${names.join(", ")} } = yaml;\nexport default yaml;\n`,
      resolveDir: root,
      sourcefile: "yaml-entry.js",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    outfile: join(vendor, "index.js"),
    logLevel: "warning",
    legalComments: "inline",
    // YAML requires node:process; an ES module has no `require` of its own, so the bundle makes one.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);',
    },
  });
  redirectImports(files, specifier, () => join(vendor, "index.js"));
  console.error(`build: YAML bundled into dist/vendor/yaml in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Bundles the dependencies whose many module files cost start-up time (TypeBox, YAML) into dist/vendor/. */
function bundleVendors(target) {
  const esbuild = loadEsbuild();
  if (esbuild === undefined) {
    console.error(
      "build: esbuild (a development dependency) is missing; dist/ loads TypeBox and YAML from node_modules",
    );
    return;
  }
  bundleTypebox(target, esbuild);
  bundleYaml(target, esbuild);
}

/** Builds the console into web/dist (or DIR/web/dist). */
function buildConsole() {
  const vite = tool("vite", "bin/vite.js");
  if (vite === undefined) return missingTool("web/dist/", "vite", existsSync(join(consoleDirectory, "index.html")));
  const config = join(root, "web", "vite.config.ts");
  run("console (vite)", vite, [
    "build",
    "--config",
    config,
    "--outDir",
    consoleDirectory,
    "--emptyOutDir",
    "--logLevel",
    "warn",
  ]);
}

/** A stale output and no tool to rebuild it (production install): go on with the old build, or fail without one. */
function missingTool(output, packageName, haveOutput) {
  const message = `${output} is older than its sources and ${packageName} (a development dependency) is not installed`;
  if (haveOutput) {
    console.error(`build: ${message}; using the existing build`);
    return;
  }
  console.error(
    `build: ${message.replace("is older than its sources", "is missing")}; run npm install, then npm run build`,
  );
  process.exit(1);
}

const external = values.out !== undefined;
if (!values["if-stale"] || external || !platformBuildFresh(root, distDirectory)) buildPlatform();
if (!values["if-stale"] || external || !consoleBuildFresh(root, consoleDirectory)) buildConsole();
