/**
 * The published package as an operator installs it (issue 16, item 2): the checkout's `files` are staged with its
 * build — copied when dist/ and web/dist/ are fresh, else built into the stage (scripts/build.mjs --out, so the
 * checkout's own dist/ is never touched while other tests run) —, `npm pack` makes the tarball, and `npm install --omit=dev` puts it into an empty folder. From there `alixan site show lab`
 * and `alixan serve` must work on production dependencies alone: compiled JavaScript, the prebuilt console, the
 * shipped sites and scenarios, no tsx, no TypeScript, no browser-only packages.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

const root = join(import.meta.dirname, "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  files: string[];
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
/** `files` entries the build writes; everything else in `files` is copied from the checkout. */
const built = new Set(["dist/", "web/dist/"]);
const workspace = mkdtempSync(join(tmpdir(), "alixan-package-"));
after(() => rmSync(workspace, { recursive: true, force: true }));

/** Runs a command to completion; fails the test with its output when it does not exit 0. */
function run(command: string, args: readonly string[], cwd: string, timeout = 240_000): string {
  const result = spawnSync(command, args, {
    cwd,
    encoding: "utf8",
    timeout,
    env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" },
  });
  assert.equal(
    result.status,
    0,
    `${command} ${args.join(" ")} failed (${result.error?.message ?? result.signal ?? result.status}):\n${result.stdout}\n${result.stderr}`,
  );
  return result.stdout;
}

interface Packed {
  filename: string;
  files: { path: string }[];
}

let tarball: string;
let packedFiles: string[];
let installed: string;

before(async () => {
  const stage = join(workspace, "stage");
  for (const entry of [...manifest.files.filter((file) => !built.has(file)), "package.json", "README.md", "LICENSE"]) {
    cpSync(join(root, entry), join(stage, entry), { recursive: true });
  }
  const freshness = (await import(join(root, "scripts", "freshness.mjs") as string)) as {
    platformBuildFresh(root: string): boolean;
    consoleBuildFresh(root: string): boolean;
  };
  if (freshness.platformBuildFresh(root) && freshness.consoleBuildFresh(root)) {
    for (const entry of built) cpSync(join(root, entry), join(stage, entry), { recursive: true });
  } else {
    run(process.execPath, [join(root, "scripts", "build.mjs"), "--no-check", "--out", stage], root);
  }
  // The stage is already built: skip prepack, which would look for the build script in the stage.
  const packed = JSON.parse(
    run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", workspace], stage),
  ) as Packed[];
  tarball = join(workspace, packed[0]!.filename);
  packedFiles = packed[0]!.files.map((file) => file.path);

  installed = join(workspace, "operator");
  cpSync(join(root, "LICENSE"), join(installed, "LICENSE")); // makes the folder; npm needs nothing else there
  writeFileSync(join(installed, "package.json"), `${JSON.stringify({ name: "operator", private: true })}\n`);
  run("npm", ["install", "--omit=dev", "--prefer-offline", "--no-package-lock", tarball], installed);
});

describe("npm package", () => {
  it("ships compiled JavaScript, the console, sites, scenarios, LICENSE and README, and no sources or tests", () => {
    for (const path of [
      "package.json",
      "LICENSE",
      "README.md",
      manifest.bin["alixan"]!,
      "dist/cli/main.js",
      "dist/twin/worker.js",
      "dist/app/features/whatif-worker.js",
      "dist/twin/scenarios/heat-wave.yaml",
      "web/dist/index.html",
      "sites/alixan.yaml",
      "sites/lab.yaml",
    ]) {
      assert.ok(packedFiles.includes(path), `${path} is in the package`);
    }
    assert.ok(
      packedFiles.some((path) => /^web\/dist\/assets\/.+\.js$/.test(path)),
      "the console's scripts are in the package",
    );
    const unwanted = packedFiles.filter(
      (path) =>
        /\.test\.|(^|\/)testing\//.test(path) ||
        /^(src|test|bench|scripts)\//.test(path) ||
        (path.endsWith(".ts") && !path.endsWith(".d.ts")) ||
        path.endsWith(".map"),
    );
    assert.deepEqual(unwanted, [], "no sources, tests, benchmarks or source maps");
  });

  it("installs with production dependencies only", () => {
    const modules = join(installed, "node_modules");
    assert.ok(existsSync(join(modules, manifest.name, "dist", "cli", "main.js")));
    for (const name of Object.keys(manifest.dependencies)) {
      assert.ok(existsSync(join(modules, name, "package.json")), `${name} installed`);
    }
    for (const name of ["tsx", "typescript", "vite", "react", "react-dom", "uplot"]) {
      assert.ok(name in manifest.devDependencies, `${name} is a development dependency`);
      assert.ok(!existsSync(join(modules, name)), `${name} is not installed for production`);
    }
  });

  it("runs `alixan site show lab` from the installed package", () => {
    const alixan = join(installed, "node_modules", ".bin", "alixan");
    const help = run(alixan, ["--help"], installed);
    assert.match(help, /^Usage: alixan/m);
    const summary = JSON.parse(run(alixan, ["--json", "site", "show", "lab"], installed)) as {
      id: string;
      counts: { racks: number };
    };
    assert.equal(summary.id, "lab");
    assert.ok(summary.counts.racks > 0);
    const table = run(alixan, ["site", "show", "lab"], installed);
    assert.match(table, /design-point PUE/);
  });

  it("runs `alixan serve` from the installed package: /health, the API and the prebuilt console", async () => {
    const dataDir = join(workspace, "data");
    const child: ChildProcess = spawn(
      join(installed, "node_modules", ".bin", "alixan"),
      ["serve", "--site", "lab", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir],
      { cwd: installed, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout!.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr!.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const deadline = Date.now() + 90_000;
      while (!/running at (http:\/\/\S+)/.test(output)) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`serve did not start:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const url = /running at (http:\/\/\S+)/.exec(output)![1]!;
      const health = await fetch(`${url}/health`);
      assert.equal(health.status, 200, await health.clone().text());
      assert.equal(((await health.json()) as { status: string }).status, "ok");
      // Each answer is read to its end: an unread body keeps its request open, and the SIGTERM below then waits
      // seconds for it before the store closes.
      const openapi = await fetch(`${url}/openapi.json`);
      assert.equal(openapi.status, 200);
      await openapi.arrayBuffer();
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<script[^>]+src="\/assets\/[^"]+\.js"/, "the prebuilt console, not the 'not built' page");
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const scriptAnswer = await fetch(`${url}${script}`);
      assert.equal(scriptAnswer.status, 200);
      await scriptAnswer.arrayBuffer();
    } finally {
      child.kill("SIGTERM");
    }
    assert.equal(await exited, 0, output);
  });
});
