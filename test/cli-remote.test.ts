/**
 * Remote CLI commands against a running platform: push a leak detector reading, see the critical alarm in
 * `alixan alarms list`, acknowledge it with `alixan alarms ack`, and read series back with `alixan telemetry query`.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { type ComposedApp, composeApp } from "../src/app/compose.ts";
import { defaultFeatures } from "../src/app/features/index.ts";
import { runAlixan } from "./support/cli.ts";

const root = join(import.meta.dirname, "..");
let app: ComposedApp;
let url: string;
let operatorKey: string;

// Asynchronous on purpose: the platform answers from this process while the CLI runs.
async function alixan(...args: string[]) {
  return runAlixan(url, operatorKey, args);
}

before(async () => {
  app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ telemetryInMemory: true, speed: 60, demoLoad: 0.5 }),
  });
  url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  operatorKey = app.demoKeys!.find((key) => key.role === "facility-operator")!.token;
});
after(async () => {
  await app.close();
});

describe("remote CLI", () => {
  it("shows and acknowledges a leak alarm, and queries a rack's series", async () => {
    const response = await fetch(`${url}/v1/telemetry/samples`, {
      method: "POST",
      headers: { authorization: `Bearer ${operatorKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        samples: [
          { name: "leak_detector_state", labels: { equipment: "leak:h1-r01-01-1" }, value: 2 },
          { name: "rack_power_kw", labels: { rack: "rack:h1-r01-01" }, value: 101.5 },
        ],
      }),
    });
    assert.equal(response.status, 200, await response.text());
    const list = await alixan("--json", "alarms", "list");
    assert.equal(list.code, 0, list.stderr);
    const alarms = JSON.parse(list.stdout) as { id: string; severity: string; title: string }[];
    const leak = alarms.find((alarm) => alarm.title === "Leak detected");
    assert.ok(leak, list.stdout);
    assert.equal(leak.severity, "critical");
    const ack = await alixan("alarms", "ack", leak.id, "--comment", "rows drained");
    assert.equal(ack.code, 0, ack.stderr);
    const after = JSON.parse((await alixan("--json", "alarms", "list")).stdout) as {
      id: string;
      acknowledged?: { by: string };
    }[];
    assert.ok(after.find((alarm) => alarm.id === leak.id)?.acknowledged?.by.startsWith("usr_"));
    // The table: a line per alarm, its state naming who acknowledged it.
    const table = await alixan("alarms", "list");
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^id\s+severity\s+title\s+equipment\s+rows\s+raised\s+state/m);
    assert.match(table.stdout, new RegExp(`^${leak.id}\\s.*ack by usr_`, "m"));
    const query = await alixan("telemetry", "query", "--rack", "rack:h1-r01-01");
    assert.equal(query.code, 0, query.stderr);
    assert.match(query.stdout, /rack_power_kw\{rack="rack:h1-r01-01"\}\s+1\s+.*101\.50/);
  });

  it("prints per-tenant usage as a table and as CSV", async () => {
    // The demo load runs from the start under its own tenants; at 60 simulated seconds per second the twin's history
    // soon holds energy. Real tenants (atelier-genai) submitted nothing: they get none of it.
    let table = await alixan("report", "usage");
    const deadline = Date.now() + 30_000;
    while (!/^demo:genai-startups\s+\d+\s+[\d.]+\s+[1-9][\d.]*/m.test(table.stdout)) {
      assert.ok(Date.now() < deadline, `no energy attributed to the demo load yet:\n${table.stdout}${table.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      table = await alixan("report", "usage");
    }
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^usage from \d{4}-/);
    assert.match(table.stdout, /tenant\s+jobs\s+GPU-hours\s+energy kWh/);
    assert.match(table.stdout, /^site energy [\d.]+ kWh$/m);
    const csv = await alixan("report", "usage", "--format", "csv");
    assert.equal(csv.code, 0, csv.stderr);
    assert.match(csv.stdout, /^tenant,project,jobs,/);
    assert.match(csv.stdout, /^demo:genai-startups,,\d+,/m);
    assert.doesNotMatch(table.stdout, /^atelier-genai\s/m, "a real tenant is charged nothing for the demo load");
    assert.equal((await alixan("report", "usage", "--from", "yesterday")).code, 2);
    // The month's statements read the same stored rows (the twin's clock runs a little ahead of the wall clock).
    const month = new Date().toISOString().slice(0, 7);
    const statement = await alixan("report", "statement", "--month", month);
    assert.equal(statement.code, 0, statement.stderr);
    assert.match(statement.stdout, new RegExp(`^statements for ${month} \\(UTC\\)`));
    assert.match(statement.stdout, /^demo:genai-startups\s+\(all\)\s+\d+\s+[\d.]+/m);
    assert.equal((await alixan("report", "statement", "--month", "2026-13")).code, 2);
  });

  it("explains a missing key and an unknown alarm in one line", async () => {
    const missing = await promisify(execFile)(
      process.execPath,
      [join(root, "bin", "alixan.js"), "alarms", "list", "--url", url],
      {
        cwd: root,
        env: { ...process.env, ALIXAN_KEY: "" },
      },
    ).catch((error: { code: number; stderr: string }) => error);
    assert.equal((missing as { code: number }).code, 2);
    assert.match((missing as { stderr: string }).stderr, /no API key/);
    const unknown = await alixan("alarms", "ack", "no-such-alarm");
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /404 no alarm "no-such-alarm"/);
  });
});
