/**
 * Accessibility in Chromium against the platform on the lab site: axe-core (WCAG 2.1 A and AA rules) finds no serious
 * or critical violation on any page, for staff (operator, admin, auditor) and tenant roles (tenant admin, student);
 * the floor is usable from the keyboard, cell to cell with the arrow keys, Enter opening the rack.
 *
 * Screenshots go to test-output/browser/ (names start with `a11y-`).
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import type { DemoKey } from "../../src/app/seed.ts";
import { BrowserHarness, checkEachTestAndStop } from "../support/browser.ts";

const harness = new BrowserHarness();

/** Every page, and what shows it is ready. */
const pages: readonly { path: string; ready: string; staffOnly: boolean }[] = [
  { path: "/", ready: "main h1", staffOnly: false },
  { path: "/floor", ready: "canvas.floor-canvas[data-first-paint-ms]", staffOnly: true },
  { path: "/racks/rack%3Ah1-r01-01", ready: ".kpi", staffOnly: true },
  { path: "/cooling", ready: "table.loops tbody tr", staffOnly: true },
  { path: "/energy", ready: ".chart .uplot", staffOnly: true },
  { path: "/alarms", ready: "main h1", staffOnly: true },
  { path: "/maintenance", ready: "main h1", staffOnly: true },
  { path: "/workloads", ready: "main h1", staffOnly: false },
  { path: "/queues", ready: "main h1", staffOnly: false },
  { path: "/usage", ready: "table.usage-table, main .notice", staffOnly: false },
  { path: "/whatif", ready: "main h1", staffOnly: true },
];

async function auditEvery(page: Page, key: DemoKey, staff: boolean): Promise<string[]> {
  const found: string[] = [];
  await harness.signIn(page, key);
  for (const entry of pages) {
    if (entry.staffOnly && !staff) continue;
    await page.goto(`${harness.baseUrl}${entry.path}`);
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    await page.locator(entry.ready).first().waitFor();
    // Let late data (live values, lists) render before the audit.
    await page.waitForTimeout(500);
    for (const violation of await harness.audit(page)) found.push(`${key.role} ${entry.path}: ${violation}`);
  }
  return found;
}

describe("accessibility in Chromium", { timeout: 600_000 }, () => {
  before(async () => {
    await harness.start("lab", { speed: 60 });
    const lea = harness.key("tenant-member", "lea.martin@valdiag.example");
    const projects = await harness.api<{ id: string }[]>(lea.token, "GET", "/v1/projects");
    await harness.api(lea.token, "POST", "/v1/jobs", {
      projectId: projects[0]!.id,
      name: "accessible job",
      gpus: 4,
      durationS: 86_400,
      dataClass: "health",
    });
  });
  checkEachTestAndStop(harness);

  test("no serious or critical axe violation on any page, for staff and tenant roles", async () => {
    const roles: readonly [DemoKey, boolean][] = [
      [harness.key("facility-operator"), true],
      [harness.key("platform-admin", "admin@alixan.local"), true],
      [harness.key("auditor"), true],
      [harness.key("tenant-admin", "admin@valdiag.example"), false],
      [harness.key("student"), false],
    ];
    // The roles' sweeps run at once, each in a context (page, session) of its own in the one browser: a sweep mostly
    // waits (page loads, late data), so they overlap instead of adding up.
    const perRole = await Promise.all(
      roles.map(async ([key, staff]) => {
        const page = await harness.openPage();
        try {
          return await auditEvery(page, key, staff);
        } finally {
          await page.context().close();
        }
      }),
    );
    const found = perRole.flat();
    assert.deepEqual(found, [], found.join("\n"));
  });

  test("the floor moves cell to cell with the arrow keys, and Enter opens the rack", async () => {
    const page = await harness.openPage();
    await harness.signIn(page, harness.key("facility-operator"), "/floor");
    const canvas = page.locator("canvas.floor-canvas[data-first-paint-ms]");
    await canvas.waitFor();
    await canvas.focus();
    const announced = page.locator("[data-keyboard-rack]");
    const rackNow = async () => (await announced.getAttribute("data-keyboard-rack")) ?? "";
    await page.keyboard.press("ArrowRight");
    assert.equal(await rackNow(), "rack:h1-r01-01", "the first arrow starts at the first rack");
    await page.keyboard.press("ArrowRight");
    assert.equal(await rackNow(), "rack:h1-r01-02");
    await page.keyboard.press("ArrowDown");
    assert.equal(await rackNow(), "rack:h1-r02-02");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await rackNow(), "rack:h1-r02-01");
    await page.keyboard.press("ArrowUp");
    assert.equal(await rackNow(), "rack:h1-r01-01");
    await page.keyboard.press("ArrowDown");
    await page.locator(".rack-tooltip, [role='tooltip']").first().waitFor();
    await harness.screenshot(page, "a11y-01-floor-keyboard");
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/racks\/rack%3Ah1-r02-01$/);
    await page.locator(".kpi").first().waitFor();
    await harness.screenshot(page, "a11y-02-rack-from-keyboard");
  });
});
