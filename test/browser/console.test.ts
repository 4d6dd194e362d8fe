/**
 * The web console in a real browser: the whole platform starts in-process on the Alixan campus (40,000 racks) with
 * the console served by its route module, and Debian's Chromium (through playwright-core) signs in, reads the floor,
 * hovers a rack, acknowledges an alarm, submits a job as a tenant and runs a what-if. Any browser console error fails
 * the test that caused it. Screenshots and the floor's performance figures go to test-output/browser/.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); set CHROMIUM_PATH to use another binary.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import type { DemoKey } from "../../src/app/seed.ts";
import { formatCelsius } from "../../web/src/format.ts";
import { BrowserHarness, checkEachTestAndStop, outputDirectory, viewport } from "../support/browser.ts";

const harness = new BrowserHarness();
/** Browser globals used inside page functions (the test is type-checked without the DOM library). */
interface PageGlobals {
  requestAnimationFrame(callback: (now: number) => void): number;
  PerformanceObserver: new (
    callback: (list: { getEntries(): { duration: number; blockingDuration?: number; scripts?: unknown[] }[] }) => void,
  ) => { observe(options: { type: string }): void; disconnect(): void };
}

/** Frame budget at 60 Hz. */
const frameBudgetMs = 1000 / 60;

let baseUrl: string;

/** A demo key by role (and email). */
const keyOf = (role: DemoKey["role"], email?: string): DemoKey => harness.key(role, email);

/** Calls the API from the test (not the browser), so probing a route never logs in the page. */
async function api(token: string, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Whether the server has a route (by its OpenAPI document, as the console decides). */
async function hasRoute(method: string, path: string): Promise<boolean> {
  const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return document.paths[path]?.[method.toLowerCase()] !== undefined;
}

/** A new page (own context) that records console errors. */
const openPage = (): Promise<Page> => harness.openPage();

/** Opens the console and signs in with a key. */
const signIn = (page: Page, key: DemoKey): Promise<void> => harness.signIn(page, key);

/** Follows a link of the main navigation. */
async function openSection(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(outputDirectory, `${name}.png`) });
}

describe("web console in Chromium", { timeout: 600_000 }, () => {
  before(async () => {
    await harness.start("alixan", { demoLoad: 0.5 });
    baseUrl = harness.baseUrl;
  });
  checkEachTestAndStop(harness);

  test("serves the console: index.html for console paths, problem+json for unknown API paths", async () => {
    const index = await fetch(`${baseUrl}/floor`);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<div id="root">/);
    const rack = await fetch(`${baseUrl}/racks/rack%3Ah1-r001-01`);
    assert.equal(rack.status, 200);
    const missingApi = await fetch(`${baseUrl}/v1/no-such-thing`);
    assert.equal(missingApi.status, 404);
    assert.match(missingApi.headers.get("content-type") ?? "", /problem\+json/);
    const missingAsset = await fetch(`${baseUrl}/assets/no-such-file.js`);
    assert.equal(missingAsset.status, 404);
    const traversal = await fetch(`${baseUrl}/..%2f..%2fpackage.json`);
    assert.notEqual((await traversal.text()).includes('"name": "alixan"'), true);
  });

  test("signs in with an API key; a wrong key is refused; the role decides the navigation", async () => {
    const page = await openPage();
    await page.goto(`${baseUrl}/`);
    await screenshot(page, "01-login");
    await page.getByLabel("API key").fill("alx_wrong_key");
    harness.allowed = [/status of 401/];
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("This key was refused").waitFor();
    harness.allowed = [];

    await signIn(page, keyOf("facility-operator"));
    const staffNav = (await page.getByRole("navigation", { name: "Main" }).textContent()) ?? "";
    for (const item of ["Overview", "Floor", "Cooling", "Energy", "Alarms", "Workloads", "What-if"]) {
      assert.match(staffNav, new RegExp(item), `staff navigation lacks ${item}`);
    }
    await page.getByRole("heading", { name: "Design", exact: true }).waitFor();
    await screenshot(page, "02-overview-operator");

    const tenant = await openPage();
    await signIn(tenant, keyOf("student"));
    const tenantNav = (await tenant.getByRole("navigation", { name: "Main" }).textContent()) ?? "";
    assert.match(tenantNav, /Workloads/);
    for (const hidden of ["Floor", "Cooling", "Energy", "Alarms", "What-if"]) {
      assert.doesNotMatch(tenantNav, new RegExp(hidden), `a student sees ${hidden}`);
    }
    await tenant.goto(`${baseUrl}/floor`);
    await tenant.getByRole("heading", { name: "Not available for your role" }).waitFor();
    await screenshot(tenant, "03-student-floor-refused");
  });

  test("floor: 40,000 rack cells, hover tooltip, live updates drawn incrementally (timing targets: bench:floor)", async (t) => {
    const operator = keyOf("facility-operator");
    const layoutResponse = await api(operator.token, "GET", "/v1/site/layout");
    const expectedRacks =
      layoutResponse.status === 200
        ? ((await layoutResponse.json()) as { racks: { count: number } }).racks.count
        : ((await (await api(operator.token, "GET", "/v1/site")).json()) as { counts: { racks: number } }).counts.racks;
    assert.equal(expectedRacks, 40_000);

    const page = await openPage();
    await signIn(page, operator);
    await openSection(page, "Floor");
    const canvas = page.locator("canvas.floor-canvas[data-first-paint-ms]");
    await canvas.waitFor();
    const rackCount = Number(await canvas.getAttribute("data-rack-count"));
    assert.equal(rackCount, expectedRacks, "cells drawn = racks in the layout");
    const firstPaint = await page.evaluate(() => {
      const probe = (globalThis as unknown as { __alixanFloor: { firstPaintMs: number; layoutMs: number } })
        .__alixanFloor;
      return { firstPaintMs: probe.firstPaintMs, layoutMs: probe.layoutMs };
    });
    await screenshot(page, "04-floor");

    // Hover a known rack: the tooltip names it.
    const rackId = "rack:h5-r031-20";
    const centre = await page.evaluate(
      (id) =>
        (
          globalThis as unknown as { __alixanFloor: { cellCentre(id: string): { x: number; y: number } | undefined } }
        ).__alixanFloor.cellCentre(id),
      rackId,
    );
    assert.ok(centre, `no cell for ${rackId}`);
    const box = await canvas.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + centre.x, box.y + centre.y);
    const tooltip = page.locator("#floor-tooltip");
    await tooltip.waitFor();
    assert.match((await tooltip.textContent()) ?? "", new RegExp(rackId));
    await screenshot(page, "05-floor-hover");

    // Keyboard: focus the map, zoom in and pan; the cell count stays.
    await canvas.focus();
    await page.keyboard.press("+");
    await page.keyboard.press("+");
    await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("0");

    // Live updates: 20 frames from the stream, or injected through the same worker when the server has none.
    const live = await hasRoute("GET", "/v1/state/stream");
    const updates = 20;
    const figures = await page.evaluate(
      async ({ live, updates, rackCount, frameBudgetMs }) => {
        type Probe = {
          updates: { at: number; workerMs: number; processMs: number; drawMs: number; changedCells: number }[];
          field: string;
          startInjected(field: string): void;
          injectFrame(json: string): void;
        };
        const probe = (globalThis as unknown as { __alixanFloor: Probe }).__alixanFloor;
        const requestAnimationFrame = (globalThis as unknown as PageGlobals).requestAnimationFrame.bind(globalThis);
        // Every animation frame's interval while updates arrive; over 1.5 budgets is a dropped frame.
        const frames: { end: number; interval: number }[] = [];
        let last = 0;
        let watching = true;
        const watch = (now: number) => {
          frames.push({ end: now, interval: now - last });
          last = now;
          if (watching) requestAnimationFrame(watch);
        };
        requestAnimationFrame((now: number) => {
          last = now;
          requestAnimationFrame(watch);
        });
        // Long animation frames (over 50 ms) and how long scripts blocked them: what the page itself held up.
        const longFrames: { duration: number; blockingMs: number; scripts: number }[] = [];
        const observer = new (globalThis as unknown as PageGlobals).PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            longFrames.push({
              duration: entry.duration,
              blockingMs: entry.blockingDuration ?? 0,
              scripts: entry.scripts?.length ?? 0,
            });
          }
        });
        observer.observe({ type: "long-animation-frame" });
        const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        const started = performance.now();
        if (!live) {
          probe.startInjected("tcsReturnC");
          await sleep(200);
          probe.updates.length = 0;
          // 1 Hz frames with a moving pattern, so each one changes most cells.
          for (let frame = 0; frame < updates; frame++) {
            const values = new Array<number>(rackCount);
            for (let rack = 0; rack < rackCount; rack++) values[rack] = 30 + 10 * Math.sin(rack / 97 + frame);
            probe.injectFrame(JSON.stringify({ time: Date.now(), field: probe.field, values }));
            await sleep(1000);
          }
        } else {
          probe.updates.length = 0;
          while (probe.updates.length < updates && performance.now() - started < 90_000) await sleep(200);
          await sleep(100);
        }
        watching = false;
        observer.disconnect();
        const timings = probe.updates.slice(0, updates);
        const mainMs = timings.map((timing) => timing.processMs + timing.drawMs);
        const sorted = [...mainMs].sort((a, b) => a - b);
        const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
        const dropped = frames.filter((frame) => frame.interval > frameBudgetMs * 1.5);
        // A dropped frame is the updates' fault when a frame arrived during it (or just before it began).
        const duringUpdates = dropped.filter((frame) =>
          timings.some((timing) => timing.at >= frame.end - frame.interval - 2 && timing.at <= frame.end),
        );
        return {
          source: live ? "stream" : "injected",
          updates: timings.length,
          seconds: (performance.now() - started) / 1000,
          meanIntervalS:
            timings.length < 2 ? Number.NaN : (timings.at(-1)!.at - timings[0]!.at) / (timings.length - 1) / 1000,
          meanWorkerMs: mean(timings.map((timing) => timing.workerMs)),
          maxWorkerMs: Math.max(...timings.map((timing) => timing.workerMs)),
          meanMainThreadMs: mean(mainMs),
          medianMainThreadMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
          p95MainThreadMs: sorted[Math.floor(sorted.length * 0.95)] ?? Number.NaN,
          maxMainThreadMs: sorted.at(-1) ?? Number.NaN,
          meanApplyMs: mean(timings.map((timing) => timing.processMs)),
          meanDrawMs: mean(timings.map((timing) => timing.drawMs)),
          meanChangedCells: mean(timings.map((timing) => timing.changedCells)),
          updatesOverBudget: mainMs.filter((value) => value > frameBudgetMs).length,
          frames: frames.length,
          framesOver16_7ms: frames.filter((frame) => frame.interval > frameBudgetMs + 1).length,
          droppedFrames: dropped.length,
          droppedFramesDuringUpdates: duringUpdates.length,
          longestFrameMs: Math.max(...frames.map((frame) => frame.interval)),
          longAnimationFrames: longFrames.length,
          longAnimationFramesWithScripts: longFrames.filter((frame) => frame.scripts > 0).length,
          maxScriptBlockingMs: Math.max(0, ...longFrames.map((frame) => frame.blockingMs)),
        };
      },
      { live, updates, rackCount, frameBudgetMs },
    );
    const report = {
      date: new Date().toISOString(),
      viewport,
      racks: rackCount,
      layoutSource: layoutResponse.status === 200 ? "/v1/site/layout" : "/v1/site/halls + /v1/site/rows",
      machine: { cpus: cpus().length, loadAverage1m: loadavg()[0] ?? 0 },
      firstPaintMs: firstPaint.firstPaintMs,
      layoutFetchMs: firstPaint.layoutMs,
      ...figures,
    };
    writeFileSync(join(outputDirectory, "perf.json"), `${JSON.stringify(report, null, 2)}\n`);
    t.diagnostic(`perf ${JSON.stringify(report)}`);
    process.stdout.write(
      `floor perf: ${rackCount} racks, first paint ${report.firstPaintMs.toFixed(0)} ms (layout ${report.layoutFetchMs.toFixed(0)} ms); ` +
        `${figures.updates} ${figures.source} updates every ${figures.meanIntervalS.toFixed(2)} s: worker ${figures.meanWorkerMs.toFixed(2)} ms mean (max ${figures.maxWorkerMs.toFixed(1)}), ` +
        `main thread ${figures.meanMainThreadMs.toFixed(2)} ms mean (apply ${figures.meanApplyMs.toFixed(2)}, draw ${figures.meanDrawMs.toFixed(2)}), ` +
        `max ${figures.maxMainThreadMs.toFixed(2)} ms, ${figures.updatesOverBudget} over 16.7 ms, ${figures.meanChangedCells.toFixed(0)} cells changed per update; ` +
        `${figures.frames} frames, ${figures.framesOver16_7ms} over 16.7 ms, ${figures.droppedFrames} dropped (> 25 ms), ` +
        `${figures.droppedFramesDuringUpdates} of them during an update, longest ${figures.longestFrameMs.toFixed(1)} ms; ` +
        `${figures.longAnimationFrames} long animation frames (${figures.longAnimationFramesWithScripts} with scripts, ` +
        `blocking at most ${figures.maxScriptBlockingMs.toFixed(0)} ms); load average ${report.machine.loadAverage1m.toFixed(2)} on ${report.machine.cpus} CPUs\n`,
    );
    await screenshot(page, "06-floor-after-updates");
    // The timing targets (first paint under 1 s, no update over a frame, no frame dropped during an update) are
    // judged by `npm run bench:floor` on an idle machine: here other suites share the CPUs (CI saw one update at
    // 22.9 ms with a load average of 6.65 on 2 CPUs). What this test holds is the mechanism: a floor that drew each
    // rack as a DOM node, or repainted every cell per update, would miss these bounds by far under any load.
    assert.ok(report.firstPaintMs < 3000, `first paint ${report.firstPaintMs} ms ≥ 3 s`);
    assert.equal(figures.updates, updates, `${figures.updates} updates arrived, expected ${updates}`);
    assert.ok(
      figures.medianMainThreadMs < frameBudgetMs,
      `half the updates kept the main thread over a frame (median ${figures.medianMainThreadMs} ms)`,
    );

    // The rack finder refuses a rack the site does not have: the refusal is announced and describes the input.
    const finder = page.getByLabel("Rack", { exact: true });
    await finder.fill("h9-r999-99");
    await finder.press("Enter");
    const refusal = page.getByRole("alert").filter({ hasText: "no rack rack:h9-r999-99" });
    await refusal.waitFor();
    assert.equal(await finder.getAttribute("aria-invalid"), "true");
    assert.equal(await finder.getAttribute("aria-describedby"), await refusal.getAttribute("id"));

    // Click opens the rack view.
    await page.mouse.move(box.x + centre.x, box.y + centre.y);
    await page.mouse.click(box.x + centre.x, box.y + centre.y);
    await page.getByRole("heading", { name: `Rack ${rackId}` }).waitFor();
    await page.getByRole("heading", { name: "Power path" }).waitFor();
    await screenshot(page, "07-rack");
  });

  test("cooling and energy pages render", async () => {
    const page = await openPage();
    await signIn(page, keyOf("facility-operator"));
    await openSection(page, "Cooling");
    await page.getByRole("heading", { name: "Cooling", level: 1 }).waitFor();
    if (await hasRoute("GET", "/v1/state/site")) await page.locator("svg.diagram-svg").waitFor();
    // Each plant's supply set-point beside its supply: what an operator's set-supply holds (docs/api.md).
    const plants = page.locator("section[aria-labelledby=plants-title] table");
    await plants.getByRole("columnheader", { name: "Set-point" }).waitFor();
    const heads = await plants.getByRole("columnheader").allTextContents();
    const operatorToken = keyOf("facility-operator").token;
    const firstRow = plants.locator("tbody tr").first();
    const plantId = `plant:${(await firstRow.locator("th").textContent())!.trim()}`;
    const plantState = async () =>
      (await (await api(operatorToken, "GET", `/v1/state/plants/${plantId}`)).json()) as {
        fwsSupplySetpointC: number;
      };
    // An operator moves the set-point 2.7 K off where the plant holds its supply: the column shows the set-point the
    // API answers, not the supply (which reaches it only as the loop cools), then the first one is put back.
    const held = (await plantState()).fwsSupplySetpointC;
    const moved = Math.round((held - 2.7) * 10) / 10;
    const setSupply = (supplyC: number) =>
      api(operatorToken, "POST", "/v1/state/events", { action: "set-supply", id: plantId, supplyC });
    assert.equal((await setSupply(moved)).status, 200);
    try {
      // The state reads serve the twin's last step: the new set-point shows from the next one (a tick a second).
      const until = Date.now() + 10_000;
      while ((await plantState()).fwsSupplySetpointC !== moved) {
        assert.ok(Date.now() < until, "the API does not answer the new set-point");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const column = heads.indexOf("Set-point");
      await firstRow
        .locator("th, td")
        .nth(column)
        .filter({ hasText: formatCelsius(moved) })
        .waitFor({ timeout: 10_000 });
    } finally {
      assert.equal((await setSupply(held)).status, 200);
    }
    await screenshot(page, "08-cooling");
    await openSection(page, "Energy");
    await page.getByRole("heading", { name: "Energy", level: 1 }).waitFor();
    if (await hasRoute("GET", "/v1/state/history")) await page.locator(".chart .uplot").first().waitFor();
    await screenshot(page, "09-energy");
  });

  test("alarms: an operator acknowledges an alarm", async (t) => {
    if (!(await hasRoute("GET", "/v1/alarms"))) {
      t.skip("the alarm routes (GET /v1/alarms) are not mounted on this server yet");
      return;
    }
    const operator = keyOf("facility-operator");
    type Listed = { id: string; title: string; equipment?: string; acknowledged?: unknown }[];
    const unacknowledged = async () =>
      ((await (await api(operator.token, "GET", "/v1/alarms")).json()) as Listed).find(
        (alarm) => alarm.acknowledged === undefined,
      );
    let target = await unacknowledged();
    if (target === undefined && (await hasRoute("POST", "/v1/telemetry/samples"))) {
      // Camille's morning: a leak detector on a CDU in hall 2 goes critical.
      const ingested = await api(operator.token, "POST", "/v1/telemetry/samples", {
        samples: [
          { name: "leak_detector_state", labels: { equipment: "cdu:h2-r014-01", detector: "Moisture" }, value: 2 },
        ],
      });
      assert.equal(ingested.status, 200, await ingested.text());
      target = await unacknowledged();
    }
    if (target === undefined) {
      t.skip("the server has no unacknowledged active alarm and no telemetry ingest to raise one");
      return;
    }
    const page = await openPage();
    await signIn(page, operator);
    await openSection(page, "Alarms");
    const row = page.locator(`tr[data-alarm-id="${target.id}"]`);
    await row.waitFor();
    await screenshot(page, "10-alarms");
    await row.getByRole("button", { name: /^Acknowledge/ }).click();
    await row.locator(".alarm-acknowledged").waitFor();
    const after = (await (await api(operator.token, "GET", `/v1/alarms/${encodeURIComponent(target.id)}`)).json()) as {
      acknowledged?: { by: string };
    };
    assert.ok(after.acknowledged, "the server recorded the acknowledgement");
    await screenshot(page, "11-alarm-acknowledged");
  });

  test("workloads: a tenant sees field errors from the API, then submits a job and sees it queued", async (t) => {
    if (!(await hasRoute("POST", "/v1/jobs"))) {
      t.skip("the job routes (POST /v1/jobs) are not mounted on this server yet");
      return;
    }
    const page = await openPage();
    await signIn(page, keyOf("tenant-member", "lea.martin@valdiag.example"));
    await openSection(page, "Workloads");
    await page.getByRole("heading", { name: "Submit a job" }).waitFor();

    // An invalid job: the API's messages appear next to the fields it names.
    harness.allowed = [/status of 400/];
    await page.getByLabel("Name").fill("");
    await page.getByLabel("GPUs").fill("");
    await page.getByRole("button", { name: "Submit job" }).click();
    await page.locator(".field-error").first().waitFor();
    await screenshot(page, "12-job-invalid");
    harness.allowed = [];

    const name = `pathology-finetune-${Date.now().toString(36)}`;
    await page.getByLabel("Name").fill(name);
    await page.getByLabel("GPUs").fill("8");
    await page.getByLabel("Duration (minutes)").fill("120");
    await page.getByLabel("Data class").selectOption("health");
    await page.getByRole("button", { name: "Submit job" }).click();
    await page.locator("#submit-result").filter({ hasText: name }).waitFor();
    const row = page.locator("tr[data-job-id]").filter({ hasText: name });
    await row.waitFor();
    const state = await row.locator("[data-job-state]").getAttribute("data-job-state");
    assert.ok(state !== null && ["queued", "admitted", "running"].includes(state), `job state ${state}`);
    await screenshot(page, "13-job-submitted");
  });

  test("what-if: an operator runs a heat wave and compares it with the baseline", async (t) => {
    if (!(await hasRoute("POST", "/v1/whatif"))) {
      t.skip("POST /v1/whatif answers 404: the what-if route is not mounted on this server yet");
      return;
    }
    const page = await openPage();
    await signIn(page, keyOf("facility-operator"));
    await openSection(page, "What-if");
    await page.getByLabel("Add a heat wave").check();
    await page.getByLabel("Days (1–14)").fill("1");
    await page.getByRole("button", { name: "Run" }).click();
    const table = page.locator("table.whatif-kpis");
    await table.waitFor({ timeout: 300_000 });
    assert.match((await table.textContent()) ?? "", /PUE/);
    await page.locator(".whatif-result .uplot").first().waitFor();
    await screenshot(page, "14-whatif");
  });
});
