/**
 * The console tells the truth at 3 a.m., in Chromium against the whole platform on the Alixan campus (40,000 racks):
 *
 * - an unthrottled site's throttle view is "0 % lost" everywhere (the API's throttle is the share of power left);
 * - a field's legend is the same across reloads while the values move (fixed scales, no auto-ranging);
 * - a CDU failure injected on the live twin shows within 15 s in the navigation banner, as a marker on the floor and
 *   on the rack page, each naming the affected tenants; the affected tenant sees a notice about its own jobs only;
 * - an operator acknowledges it with a comment that the server keeps.
 *
 * The demo load is off (as in production), so the test submits real jobs through the API for real tenants: health jobs
 * of ValDiag and the hospital consortium land in the certified hall, and the CDU failed is the one feeding the first
 * job's rack, found from the placement (never assumed).
 *
 * Screenshots of every page go to test-output/browser/ (names start with `alarms-`).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { BrowserHarness, checkEachTestAndStop } from "../support/browser.ts";

const harness = new BrowserHarness();
const withinMs = 15_000;
/** Real jobs submitted before the tests: more than one page (50) of the workloads list, two health tenants. */
const submissions = [
  { email: "lea.martin@valdiag.example", tenantId: "valdiag", count: 36 },
  { email: "admin@hopitaux-drome.example", tenantId: "hopitaux-drome", count: 24 },
] as const;
/** The rack of the first ValDiag job, its row, the row's first CDU (failed in the test) and how many racks it feeds. */
let rackOfCdu = "";
let rowOfCdu = "";
let cdu = "";
let racksInRow = 0;

interface SubmittedJob {
  id: string;
  state: string;
  reason?: string;
  placement?: { racks: string[] };
}

/** Submits running health jobs for real tenants and finds the CDU feeding the first one. */
async function placeRealJobs(): Promise<void> {
  for (const { email, tenantId, count } of submissions) {
    const token = harness.key(tenantKeyRole(email), email).token;
    const projects = await harness.api<{ id: string; tenantId: string }[]>(token, "GET", "/v1/projects");
    const project = projects.find((candidate) => candidate.tenantId === tenantId);
    assert.ok(project, `${tenantId} has a project`);
    for (let index = 0; index < count; index++) {
      const job: SubmittedJob = await harness.api<SubmittedJob>(token, "POST", "/v1/jobs", {
        projectId: project.id,
        name: `${tenantId} screening ${index + 1}`,
        gpus: 8,
        durationS: 14 * 86_400,
        dataClass: "health",
      });
      assert.equal(job.state, "running", `${tenantId} job ${index + 1}: ${job.state} ${job.reason ?? ""}`);
      if (rackOfCdu === "") rackOfCdu = job.placement!.racks[0]!;
    }
  }
  const operator = harness.key("facility-operator").token;
  rowOfCdu = rackOfCdu.replace(/^rack:/, "").replace(/-\d+$/, "");
  cdu = `cdu:${rowOfCdu}-01`;
  const loop = await harness.api<{ rowId: string }>(operator, "GET", `/v1/state/tcs/${encodeURIComponent(cdu)}`);
  assert.equal(loop.rowId, `row:${rowOfCdu}`, `${cdu} feeds the row of ${rackOfCdu}`);
  racksInRow = (
    await harness.api<{ total: number }>(
      operator,
      "GET",
      `/v1/site/racks?row=${encodeURIComponent(loop.rowId)}&limit=1`,
    )
  ).total;
  assert.ok(racksInRow > 0, `racks in ${loop.rowId}`);
}

function tenantKeyRole(email: string): "tenant-member" | "tenant-admin" {
  return email.startsWith("admin@") ? "tenant-admin" : "tenant-member";
}

interface ListedAlarm {
  id: string;
  title: string;
  equipment?: string;
  impact?: { tenants: { id: string; name: string }[]; jobCount: number; summary: string };
  acknowledged?: { by: string; comment?: string };
}

/** Floor probe figures read in the page. */
interface FloorProbe {
  field: string;
  alarmMarkers: number;
  valueRange(): { min: number; max: number };
}

function floorProbe(page: Page): Promise<{ field: string; markers: number; range: { min: number; max: number } }> {
  return page.evaluate(() => {
    const probe = (globalThis as unknown as { __alixanFloor: FloorProbe }).__alixanFloor;
    return { field: probe.field, markers: probe.alarmMarkers, range: probe.valueRange() };
  });
}

/** Waits for the floor's first colouring of a field. */
async function floorReady(page: Page): Promise<void> {
  await page.locator("canvas.floor-canvas[data-first-paint-ms]").waitFor();
  await page.locator("figure.legend").waitFor();
  await page.locator("section.worst li").first().waitFor();
}

describe("console alarms and honest encodings in Chromium", { timeout: 600_000 }, () => {
  before(async () => {
    await harness.start("alixan");
    await placeRealJobs();
  });

  checkEachTestAndStop(harness);

  test("the throttle view of an unthrottled site is all 0 % lost", async () => {
    const operator = harness.key("facility-operator");
    const site = await harness.api<{ kpis: { throttledRacks: number } }>(operator.token, "GET", "/v1/state/site");
    assert.equal(site.kpis.throttledRacks, 0, "the campus starts unthrottled");
    const page = await harness.openPage();
    await harness.signIn(page, operator, "/floor?field=throttle");
    await floorReady(page);
    const { field, range } = await floorProbe(page);
    assert.equal(field, "throttle");
    assert.deepEqual(range, { min: 0, max: 0 }, "every rack shows 0 % of its power lost");
    const legend = (await page.locator("figure.legend").textContent()) ?? "";
    assert.match(legend, /Power lost to throttling/);
    assert.match(legend, /0 % = not throttled/);
    const worst = page.locator("section.worst li");
    assert.equal(await worst.count(), 1, "40,000 equal values are one line, not eight ties");
    assert.match((await worst.first().textContent()) ?? "", /^All 40,000 racks, e\.g\. \S+ 0 % lost$/);
    assert.equal(await worst.first().getAttribute("data-racks"), "40000");
    await harness.screenshot(page, "alarms-01-floor-throttle-none-lost");

    // The rack page says the same.
    await page.goto(`${harness.baseUrl}/racks/${encodeURIComponent(rackOfCdu)}`);
    const lost = page.locator(".kpi").filter({ hasText: "Power lost to throttling" });
    await lost.waitFor();
    assert.match((await lost.textContent()) ?? "", /0 %/);
    assert.doesNotMatch((await lost.textContent()) ?? "", /100 %/);
  });

  test("a field's legend is identical across reloads while the values move", async () => {
    const page = await harness.openPage();
    await harness.signIn(page, harness.key("facility-operator"), "/floor?field=tcsReturnC");
    const legendOf = async () => {
      await floorReady(page);
      const legend = page.locator("figure.legend");
      return {
        text: (await legend.textContent()) ?? "",
        ramp: await legend.locator(".legend-ramp").getAttribute("style"),
      };
    };
    const first = await legendOf();
    assert.match(first.text, /Fixed scale 20–70 °C/);
    await harness.screenshot(page, "alarms-02-floor-return-legend");
    const values: { min: number; max: number }[] = [(await floorProbe(page)).range];
    for (let reload = 0; reload < 2; reload++) {
      // Let the live values move between visits.
      await page.waitForTimeout(2500);
      await page.reload();
      assert.deepEqual(await legendOf(), first, `legend after reload ${reload + 1}`);
      values.push((await floorProbe(page)).range);
    }
    assert.ok(
      values.every((range) => range.min >= 20 && range.max <= 70),
      `return temperatures inside the fixed scale: ${JSON.stringify(values)}`,
    );
    // Loop headroom: per loop, in % of capacity, with the alarm thresholds marked.
    await page.goto(`${harness.baseUrl}/floor?field=loopHeadroom`);
    await floorReady(page);
    const headroom = (await page.locator("figure.legend").textContent()) ?? "";
    assert.match(headroom, /warning: 10 %/);
    assert.match(headroom, /Critical: 3 %/);
    assert.match((await page.locator("section.worst h2").textContent()) ?? "", /Tightest loops/);
    const lines = await page.locator("section.worst li").allTextContents();
    assert.ok(lines.length > 0 && lines.every((line) => /^row \S+/.test(line)), lines.join(" | "));
    await harness.screenshot(page, "alarms-03-floor-loop-headroom");
  });

  test("a CDU failure shows within 15 s in the banner, on the floor and on the rack page, naming the tenants", async () => {
    const operator = harness.key("facility-operator");
    const before = await harness.api<ListedAlarm[]>(operator.token, "GET", "/v1/alarms");
    assert.equal(
      before.some((alarm) => alarm.equipment === cdu),
      false,
    );
    // Three screens open before the fault, as in a control room: overview (banner), floor, rack.
    const overview = await harness.openPage();
    await harness.signIn(overview, operator);
    const banner = overview.locator("a.alarm-banner");
    await banner.waitFor();
    const criticalBefore = Number(await banner.getAttribute("data-critical"));
    const warningBefore = Number(await banner.getAttribute("data-warning"));
    const floor = await harness.openPage();
    await harness.signIn(floor, operator, "/floor?field=tcsReturnC");
    await floorReady(floor);
    const markersBefore = (await floorProbe(floor)).markers;
    const rack = await harness.openPage();
    await harness.signIn(rack, operator, `/racks/${encodeURIComponent(rackOfCdu)}`);
    await rack.locator(".rack-alarms").waitFor();

    const injectedAt = Date.now();
    await harness.api(operator.token, "POST", "/v1/state/events", { action: "fail-cdu", id: cdu });

    const seen: Record<string, number> = {};
    const bannerShows = (async () => {
      await overview.waitForFunction(
        ({ critical, warning }) => {
          const element = (
            globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } } }
          ).document.querySelector("a.alarm-banner");
          return Number(element.dataset["critical"]) + Number(element.dataset["warning"]) > critical + warning;
        },
        { critical: criticalBefore, warning: warningBefore },
        { timeout: withinMs },
      );
      seen["banner"] = Date.now() - injectedAt;
    })();
    const floorShows = (async () => {
      await floor
        .locator(".floor-alarms li")
        .filter({ hasText: "CDU out of service" })
        .filter({ hasText: cdu.replace(/^cdu:/, "") })
        .waitFor({ timeout: withinMs });
      seen["floor"] = Date.now() - injectedAt;
    })();
    const rackShows = (async () => {
      await rack.locator(".rack-alarms li").filter({ hasText: "CDU out of service" }).waitFor({ timeout: withinMs });
      seen["rack"] = Date.now() - injectedAt;
    })();
    await Promise.all([bannerShows, floorShows, rackShows]);
    process.stdout.write(`CDU failure shown after: ${JSON.stringify(seen)} ms\n`);
    for (const [screen, ms] of Object.entries(seen)) assert.ok(ms <= withinMs, `${screen} after ${ms} ms`);

    // The alarm names the tenants whose jobs run on the loop's racks; every screen says so.
    const alarms = await harness.api<ListedAlarm[]>(operator.token, "GET", "/v1/alarms");
    const alarm = alarms.find((candidate) => candidate.equipment === cdu);
    assert.ok(alarm?.impact, "the alarm has an impact");
    assert.ok(alarm.impact.jobCount > 0 && alarm.impact.tenants.length > 0, JSON.stringify(alarm.impact));
    assert.ok(
      alarm.impact.tenants.some((tenant) => tenant.id === "valdiag"),
      `the tenant whose jobs run there is named: ${JSON.stringify(alarm.impact.tenants)}`,
    );
    assert.ok(alarm.impact.summary.includes(`Feeds ${racksInRow} racks in row ${rowOfCdu}`), alarm.impact.summary);
    const names = alarm.impact.tenants.map((tenant) => tenant.name);
    const floorItem = floor.locator(".floor-alarms li").filter({ hasText: cdu.replace(/^cdu:/, "") });
    const rackItem = rack.locator(".rack-alarms li").filter({ hasText: "CDU out of service" });
    for (const name of names) {
      assert.ok(((await floorItem.textContent()) ?? "").includes(name), `floor names ${name}`);
      assert.ok(((await rackItem.textContent()) ?? "").includes(name), `rack page names ${name}`);
    }
    await rackItem.getByRole("link", { name: names[0]! }).waitFor();
    assert.ok((await floorProbe(floor)).markers > markersBefore, "the floor frames the loop's row");
    assert.equal(
      await floor.locator("canvas.floor-canvas").getAttribute("data-alarm-markers"),
      String((await floorProbe(floor)).markers),
    );
    assert.match((await banner.getAttribute("aria-label")) ?? "", /Active alarms: .*(warning|critical)/);
    await harness.screenshot(overview, "alarms-04-overview-banner");
    await harness.screenshot(floor, "alarms-05-floor-marker");
    await harness.screenshot(rack, "alarms-06-rack-alarm");

    // The affected tenant sees a notice about its own jobs, without facility internals.
    const tenantId = alarm.impact.tenants[0]!.id;
    const tenantKey = harness.app.demoKeys?.find(
      (candidate) => candidate.role === "tenant-admin" && candidate.tenantId === tenantId,
    );
    assert.ok(tenantKey, `a tenant-admin key for ${tenantId}`);
    const tenant = await harness.openPage();
    await harness.signIn(tenant, tenantKey);
    const notice = tenant.locator(".incidents .incident").first();
    await notice.waitFor({ timeout: withinMs });
    const noticeText = (await notice.textContent()) ?? "";
    assert.match(noticeText, /of your running jobs/);
    for (const internal of ["cdu:", rowOfCdu, "row", ...names.filter((name) => name !== names[0])]) {
      assert.ok(!noticeText.includes(internal), `the tenant notice shows "${internal}": ${noticeText}`);
    }
    assert.equal(await tenant.locator("a.alarm-banner").count(), 0, "tenants have no facility alarm banner");
    await harness.screenshot(tenant, "alarms-07-tenant-incident");
    const other = harness.app.demoKeys?.find(
      (candidate) =>
        candidate.role === "tenant-admin" &&
        !alarm.impact!.tenants.some((affected) => affected.id === candidate.tenantId),
    );
    if (other !== undefined) {
      const incidents = await harness.api<{ incidents: { id: string }[] }>(other.token, "GET", "/v1/incidents");
      assert.equal(
        incidents.incidents.some((incident) => incident.id === alarm.id),
        false,
        `${other.tenantId} is not told about another tenant's incident`,
      );
    }

    // The operator acknowledges with a comment; the server keeps it.
    const alarmsPage = await harness.openPage();
    await harness.signIn(alarmsPage, operator, "/alarms");
    const row = alarmsPage.locator(`tr[data-alarm-id="${alarm.id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", new RegExp(names[0]!.replace(/[()]/g, ".")));
    const comment = "CDU pump tripped, crew on site";
    await row.getByLabel(/^Comment on:/).fill(comment);
    await row.getByRole("button", { name: /^Acknowledge/ }).click();
    await row.locator(".alarm-acknowledged").filter({ hasText: comment }).waitFor();
    const acknowledged = await harness.api<ListedAlarm>(operator.token, "GET", `/v1/alarms/${alarm.id}`);
    assert.equal(acknowledged.acknowledged?.comment, comment);
    // Shelving needs a reason.
    await row.getByRole("button", { name: /^Shelve/ }).click();
    await alarmsPage.locator(".notice-error").filter({ hasText: "Say why you shelve" }).waitFor();
    await harness.screenshot(alarmsPage, "alarms-08-alarms-acknowledged");

    await harness.api(operator.token, "POST", "/v1/state/events", { action: "repair-cdu", id: cdu });
  });

  test("screenshots of the other pages with the new encodings", async () => {
    const operator = harness.key("facility-operator");
    const page = await harness.openPage();
    await harness.signIn(page, operator, "/cooling");
    await page.locator("table.loops tbody tr").first().waitFor();
    const lines = await page.locator("table.loops tbody tr").allTextContents();
    assert.ok(
      lines.every((line) => / %/.test(line)),
      `loops ranked by share of capacity: ${lines.join(" | ")}`,
    );
    await harness.screenshot(page, "alarms-09-cooling");
    await page.goto(`${harness.baseUrl}/energy`);
    await page.locator(".chart .uplot").first().waitFor();
    const axis = (await page.locator(".chart .uplot").first().textContent()) ?? "";
    assert.match(axis, /Time \(CES?T\)/, "the time axis names the site's zone");
    await harness.screenshot(page, "alarms-10-energy");
  });

  test("workloads: server-side pages and filters, cancel asks first", async () => {
    const admin = harness.key("platform-admin", "admin@alixan.local");
    const page = await harness.openPage();
    await harness.signIn(page, admin, "/workloads?state=running");
    const rows = page.locator("table.jobs tbody tr[data-job-id]");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 50, "50 jobs a page, not 200");
    const total = Number(await page.locator("[data-job-total]").getAttribute("data-job-total"));
    assert.ok(total > 50, `the submitted jobs fill more than a page (${total})`);
    const firstPage = await rows.evaluateAll((elements) =>
      elements.map((element) => (element as unknown as { dataset: Record<string, string> }).dataset["jobId"]),
    );
    // The next page's answer is held back: until it comes, no "Page 2" is shown over page 1's rows.
    const cursorRequests = "**/v1/jobs?*cursor=*";
    await page.route(cursorRequests, async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.getByRole("button", { name: "Older →" }).click();
    assert.equal(await page.locator(".pager").filter({ hasText: "Page 2" }).count(), 0, "page 2 shown before its jobs");
    await page.locator(".pager").filter({ hasText: "Page 2" }).waitFor();
    await page.unroute(cursorRequests);
    await rows.first().waitFor();
    const secondPage = await rows.evaluateAll((elements) =>
      elements.map((element) => (element as unknown as { dataset: Record<string, string> }).dataset["jobId"]),
    );
    assert.equal(
      secondPage.some((id) => firstPage.includes(id)),
      false,
      "page 2 holds other jobs",
    );
    await harness.screenshot(page, "alarms-11-workloads-page-2");

    // A tenant filter from the address (as an alarm's tenant link opens it): the server filters.
    await page.goto(`${harness.baseUrl}/workloads?state=running&tenantId=valdiag`);
    await rows.first().waitFor();
    const tenants = await page.locator("table.jobs tbody tr td:nth-child(3)").allTextContents();
    assert.ok(tenants.length > 0 && tenants.every((text) => text.startsWith("valdiag ·")), tenants.join(" | "));
    const filtered = await harness.api<{ id: string }[]>(
      admin.token,
      "GET",
      "/v1/jobs?state=running&tenantId=valdiag&limit=1",
    );
    assert.equal(filtered.length, 1);

    // Cancel asks first: "Keep it" keeps the job, "Yes" cancels it with the reason.
    const row = rows.first();
    const jobId = (await row.getAttribute("data-job-id"))!;
    await row.getByRole("button", { name: /^Cancel / }).click();
    const dialog = row.getByRole("alertdialog", { name: "Confirm cancellation" });
    await dialog.waitFor();
    await harness.screenshot(page, "alarms-12-workloads-cancel-confirm");
    await dialog.getByRole("button", { name: "Keep it" }).click();
    await dialog.waitFor({ state: "detached" });
    const kept = await harness.api<{ state: string }>(admin.token, "GET", `/v1/jobs/${encodeURIComponent(jobId)}`);
    assert.ok(["queued", "admitted", "running"].includes(kept.state), `kept job is ${kept.state}`);
    await page
      .locator(`tr[data-job-id="${jobId}"]`)
      .getByRole("button", { name: /^Cancel / })
      .click();
    await page.getByLabel("Reason (kept in the job's history)").fill("freeing the loop for maintenance");
    await page.getByRole("button", { name: "Yes, cancel the job" }).click();
    await page.locator(".notice-ok").filter({ hasText: "Cancelled 1 job" }).waitFor();
    const cancelled = await harness.api<{ state: string }>(admin.token, "GET", `/v1/jobs/${encodeURIComponent(jobId)}`);
    assert.equal(cancelled.state, "cancelled");
  });
});
