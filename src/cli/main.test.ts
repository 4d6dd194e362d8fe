import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { Command } from "commander";
import { buildProgram, commandIndex, commandNamed, programFor } from "./main.ts";

const root = new URL("../..", import.meta.url).pathname;

/**
 * A child process that records every module URL it resolves (through a module.register hook) while running `argv`
 * through runCli from the sources, then prints them as JSON on stdout after the CLI's own output.
 */
function resolvedModules(argv: readonly string[]): string[] {
  const hooks = `let port; export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) { const result = await next(specifier, context); port.postMessage(result.url); return result; }`;
  const script = `
import { register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const urls = [];
const { port1, port2 } = new MessageChannel();
port1.on("message", (url) => urls.push(url));
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)}, { data: { port: port2 }, transferList: [port2] });
const { runCli } = await import(${JSON.stringify(new URL("./main.ts", import.meta.url).href)});
const code = await runCli(${JSON.stringify(argv)});
await new Promise((resolve) => setTimeout(resolve, 200));
port1.close();
process.stdout.write("\\n@@" + JSON.stringify({ code, urls }));
`;
  const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
  });
  assert.equal(result.status, 0, result.stderr);
  const marker = result.stdout.lastIndexOf("\n@@");
  const { code, urls } = JSON.parse(result.stdout.slice(marker + 3)) as { code: number; urls: string[] };
  assert.equal(code, 0, result.stdout);
  return urls;
}

/**
 * Where this process loads TypeBox from, as the child does: node_modules, or the bundle `npm test` points tsx at
 * (scripts/test-typebox.mjs).
 */
const typebox = new URL(".", import.meta.resolve("typebox")).pathname;
/** Packages only a command's own work may load, never the top-level help. */
const heavy = ["/node_modules/fastify/", "/node_modules/@duckdb/", "/node_modules/kysely/", typebox];

describe("lazy command loading", () => {
  it("the index lists every top-level command, in order, as its module defines it", async () => {
    const full = await buildProgram();
    assert.deepEqual(
      full.commands.map((command) => command.name()),
      commandIndex.map((entry) => entry.name),
    );
    for (const entry of commandIndex) {
      const program = new Command();
      (await entry.load())(program);
      const command = program.commands.find((candidate) => candidate.name() === entry.name);
      assert.ok(command, `${entry.name}: registered by its module`);
      assert.equal(command.description(), entry.description, `${entry.name}: description`);
      assert.equal(command.options.length > 0, entry.options, `${entry.name}: has options`);
    }
  });

  it("finds the command a command line names, past global options and `help`", () => {
    assert.equal(commandNamed(["--json", "site", "show", "lab"]), "site");
    assert.equal(commandNamed(["help", "schedule"]), "schedule");
    assert.equal(commandNamed(["--help"]), undefined);
    assert.equal(commandNamed([]), undefined);
  });

  it("registers only the named group, or placeholders for all when none is named", async () => {
    const site = await programFor(["site", "show"]);
    assert.deepEqual(
      site.commands.map((command) => command.name()),
      ["site"],
    );
    assert.deepEqual(
      site.commands[0]?.commands.map((command) => command.name()),
      ["validate", "show", "export"],
    );
    const help = await programFor(["--help"]);
    assert.deepEqual(
      help.commands.map((command) => command.name()),
      commandIndex.map((entry) => entry.name),
    );
    const text = help.helpInformation();
    assert.match(text, /^ {2}simulate \[options\] +simulate the site over time/m);
    assert.match(text, /^ {2}site +validate, summarise and export site files/m);
    assert.match(text, /^ {2}help \[command\] +display help for command/m);
  });

  it("`alixan --help` loads none of the platform's heavy packages; `alixan site show` only the site schema's", () => {
    const help = resolvedModules(["--help"]);
    assert.ok(
      help.some((url) => url.includes("/node_modules/commander/")),
      "commander loaded",
    );
    for (const name of heavy) {
      assert.ok(!help.some((url) => url.includes(name)), `--help resolved ${help.filter((url) => url.includes(name))}`);
    }
    assert.ok(!help.some((url) => url.includes("/src/model/")), "--help loads no site model");
    const show = resolvedModules(["--json", "site", "show", "lab"]);
    assert.ok(
      show.some((url) => url.endsWith("/src/model/load.ts")),
      "site show loads the site loader",
    );
    // Site files are decoded by their TypeBox schema (src/model/schema.ts), so `site show` needs TypeBox, no more.
    assert.ok(
      show.some((url) => url.includes(typebox)),
      `site show loads TypeBox from ${typebox}`,
    );
    for (const name of heavy.filter((name) => name !== typebox))
      assert.ok(!show.some((url) => url.includes(name)), `site show resolved ${name}`);
    // The control: the hook sees the heavy packages where a command does load them.
    const serve = resolvedModules(["serve", "--help"]);
    assert.ok(
      serve.some((url) => url.includes("/node_modules/fastify/")),
      "serve loads Fastify",
    );
  });
});
