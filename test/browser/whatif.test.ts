/**
 * What-if in Chromium against the platform on the lab site: an operator builds a scenario from parameters (a water
 * class under a heat wave in both runs), the page shows exactly what the server ran (its description and each change),
 * the weather of each run, outdoor temperature beside the results and throttling for every rack type; charts save as
 * PNG and SVG, data as CSV; a unit the site does not have is refused at its input.
 *
 * Screenshots go to test-output/browser/ (names start with `whatif-`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import type { Download, Page } from "playwright-core";
import { BrowserHarness, checkEachTestAndStop } from "../support/browser.ts";

const harness = new BrowserHarness();

interface WhatIfAnswer {
  description: string;
  changes: string[];
  throttling: { rackType: string }[];
}

async function saved(page: Page, click: () => Promise<void>): Promise<{ name: string; text: string; bytes: Buffer }> {
  const waiting: Promise<Download> = page.waitForEvent("download");
  await click();
  const file = await waiting;
  const path = await file.path();
  const bytes = readFileSync(path);
  return { name: file.suggestedFilename(), text: bytes.toString("utf8"), bytes };
}

describe("what-if page in Chromium", { timeout: 300_000 }, () => {
  before(async () => {
    await harness.start("lab");
  });
  checkEachTestAndStop(harness);

  test("a scenario from parameters shows what ran, outdoor air, throttling of every type, and saves files", async () => {
    const operator = harness.key("facility-operator");
    const page = await harness.openPage();
    await harness.signIn(page, operator, "/whatif");
    await page.getByLabel("Add a heat wave").check();
    await page.getByLabel("Peak (°C)").fill("41");
    await page.getByLabel(/^Also in the baseline/).check();
    await page.getByLabel("Facility water class").selectOption("W32");
    await page.getByLabel("Days (1–14)").fill("3");
    const answered = page.waitForResponse((response) => response.url().endsWith("/v1/whatif"));
    await page.getByRole("button", { name: "Run" }).click();
    const answer = (await (await answered).json()) as WhatIfAnswer;
    const description = page.getByTestId("whatif-description");
    await description.waitFor({ timeout: 120_000 });
    assert.equal(await description.textContent(), answer.description, "the page shows the server's description");
    assert.deepEqual(await page.locator(".whatif-ran li").allTextContents(), answer.changes);
    assert.deepEqual(answer.changes, ["facility water class W32 (32 °C supply) at every plant from the start"]);
    assert.match(
      (await page.locator(".whatif-weather").textContent()) ?? "",
      /baseline Valence typical year with heat wave .*41 °C peak.*scenario Valence typical year with heat wave/,
    );
    assert.match((await page.locator("table.whatif-kpis").textContent()) ?? "", /Hottest hour outdoors/);
    const types = await page
      .locator("table.whatif-throttling tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) => (row as unknown as { dataset: Record<string, string> }).dataset["rackType"]),
      );
    assert.deepEqual(
      types,
      answer.throttling.map((line) => line.rackType),
    );
    assert.deepEqual(types, ["nvl72", "hgx", "cpu"]);
    await page.locator("figure.chart").filter({ hasText: "Outdoor temperature" }).locator(".uplot").waitFor();
    await harness.screenshot(page, "whatif-01-parameters-result");

    const svg = await saved(page, () => page.getByRole("button", { name: "Save Outdoor temperature as SVG" }).click());
    assert.match(svg.name, /^alixan-whatif-day\d+-outdoor-temperature\.svg$/);
    assert.match(svg.text, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal((svg.text.match(/<polyline/g) ?? []).length >= 2, true, "both runs drawn");
    const png = await saved(page, () => page.getByRole("button", { name: "Save PUE as PNG" }).click());
    assert.match(png.name, /\.png$/);
    assert.deepEqual([...png.bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG file");
    const csv = await saved(page, () => page.getByRole("button", { name: "Series (CSV)" }).click());
    const lines = csv.text.trim().split("\n");
    assert.equal(lines[0], `# ${answer.description}`);
    assert.match(lines[1]!, /^time,baseline_outdoor_c,scenario_outdoor_c,/);
    assert.equal(lines.length, 2 + 3 * 24);
    const kpis = await saved(page, () => page.getByRole("button", { name: "KPIs (CSV)" }).click());
    assert.match(kpis.text, /Throttled rack-hours: cpu,h,/);
  });

  test("a unit the site does not have is refused at its input", async () => {
    harness.allowed = [/status of 400 .*\/v1\/whatif/];
    const page = await harness.openPage();
    await harness.signIn(page, harness.key("facility-operator"), "/whatif");
    await page.getByLabel("Add a heat wave").uncheck();
    await page.getByLabel(/^Units out of service/).fill("cdu:h1-r01-01 cdu:h1-r01-99");
    await page.getByRole("button", { name: "Run" }).click();
    const error = page.locator("#whatif-fail-error");
    await error.waitFor();
    assert.match((await error.textContent()) ?? "", /cdu:h1-r01-99/);
    assert.equal(await page.getByLabel(/^Units out of service/).getAttribute("aria-invalid"), "true");
    await harness.screenshot(page, "whatif-02-unknown-unit");
  });
});
