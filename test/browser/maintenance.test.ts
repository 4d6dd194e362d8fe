/**
 * The console's Maintenance page in Chromium (Debian's, through playwright-core) on the lab site: a facility
 * operator drains what a CDU feeds with the form (after a refused target whose field is marked), sees it active in the
 * list, and resumes it after confirming; an auditor reads the list with no controls. Any unexpected browser console
 * error fails the test. Screenshots go to test-output/browser/.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); set CHROMIUM_PATH to use another binary.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { BrowserHarness, checkEachTestAndStop, outputDirectory } from "../support/browser.ts";

const harness = new BrowserHarness();
const keyOf = (email: string): string => harness.keyOf(email);

/** A GET from the test, with the list total the server sends beside a page. */
async function api(token: string, path: string): Promise<{ status: number; body: unknown; total: string | null }> {
  const answer = await harness.request(token, "GET", path);
  return { status: answer.status, body: answer.body, total: answer.headers.get("x-total-count") };
}

/** A POST from the test that must succeed. */
function post<T = { id: string; state: string }>(token: string, path: string, body: unknown): Promise<T> {
  return harness.api<T>(token, "POST", path, body);
}

/** A new page signed in with `token`, on the Maintenance page. */
async function openSignedIn(token: string): Promise<Page> {
  const page = await harness.openPage();
  await harness.signIn(page, { token });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Maintenance" }).click();
  await page.getByRole("heading", { name: "Maintenance", level: 1 }).waitFor();
  return page;
}

describe("Maintenance page in Chromium", { timeout: 300_000 }, () => {
  before(async () => {
    await harness.start("lab", { demoLoad: 0 });
  });
  checkEachTestAndStop(harness);

  test("an operator drains a CDU's racks with the form and resumes the drain after confirming", async () => {
    const operator = keyOf("camille@alixan.local");
    const page = await openSignedIn(operator);
    await page.getByText("No drain to show.").waitFor();

    // A target the site does not have: the field is marked with the server's words, nothing is drained.
    harness.allowed = [/status of 400/];
    await page.getByLabel("What").selectOption("row");
    await page.getByLabel("Id", { exact: true }).fill("h9-r99");
    await page.getByLabel("Reason").fill("pump seal");
    await page.getByRole("button", { name: "Drain", exact: true }).click();
    await page.locator("#drain-target-error").getByText("no row row:h9-r99 on site lab").waitFor();
    assert.equal(await page.getByLabel("Id", { exact: true }).getAttribute("aria-invalid"), "true");
    assert.equal((await api(operator, "/v1/drains")).total, "0");

    await page.getByLabel("What").selectOption("cdu");
    await page.getByLabel("Id", { exact: true }).fill("cdu:h1-r01-01");
    await page.getByLabel("Running work").selectOption("requeue");
    await page.getByRole("button", { name: "Drain", exact: true }).click();
    const result = await page
      .locator("#drain-result")
      .getByText(/^Drained cdu:h1-r01-01 \(drn_[0-9a-f]{12}, 4 racks\): active\.$/);
    await result.waitFor();
    const id = /drn_[0-9a-f]{12}/.exec((await result.textContent()) ?? "")![0];
    const row = page.locator(`tr[data-drain-id="${id}"]`);
    await row.getByText("active", { exact: true }).waitFor();
    await row.getByText("row:h1-r01 · 4 racks").waitFor();
    await row.getByText("pump seal").waitFor();
    await page.screenshot({ path: join(outputDirectory, "maintenance-1-drained.png") });
    const created = (await api(operator, `/v1/drains/${id}`)).body as { state: string; policy: string; owner: string };
    assert.equal(created.state, "active");
    assert.equal(created.policy, "requeue");

    // Resume asks first; keeping it drained changes nothing.
    await row.getByRole("button", { name: `Resume ${id} (cdu:h1-r01-01)` }).click();
    await row.getByRole("button", { name: "Keep drained" }).click();
    assert.equal(((await api(operator, `/v1/drains/${id}`)).body as { state: string }).state, "active");
    await row.getByRole("button", { name: `Resume ${id} (cdu:h1-r01-01)` }).click();
    await row.getByText("Resume cdu:h1-r01-01? New work may land there at once.").waitFor();
    await page.screenshot({ path: join(outputDirectory, "maintenance-2-confirm.png") });
    await row.getByRole("button", { name: "Confirm resume" }).click();
    await page.locator("#resume-result").getByText(`Resumed ${id}: cdu:h1-r01-01 takes new work again.`).waitFor();
    const resumed = (await api(operator, `/v1/drains/${id}`)).body as { state: string; resumedBy: string };
    assert.equal(resumed.state, "ended");
    const me = (await api(operator, "/v1/me")).body as { userId: string };
    assert.equal(resumed.resumedBy, me.userId);
    // The default view shows open drains only; the ended one is under "ended".
    await page.getByText("No drain to show.").waitFor();
    await page.getByLabel("Show").selectOption("ended");
    await page.locator(`tr[data-drain-id="${id}"]`).getByText("ended", { exact: true }).waitFor();
    await page.context().close();
  });

  test("a leak alarm proposes draining what the leaking equipment feeds; one click drains it", async () => {
    const operator = keyOf("camille@alixan.local");
    const sample = await harness.request(operator, "POST", "/v1/telemetry/samples", {
      samples: [{ name: "leak_detector_state", labels: { equipment: "leak:h1-r02-03" }, value: 2 }],
    });
    assert.equal(sample.status, 200, sample.text);
    const page = await openSignedIn(operator);
    const proposal = page.getByRole("region", { name: "Leaks: proposed drains" });
    const button = proposal.getByRole("button", { name: /^Drain (rack:h1-r02-03|row:h1-r02)$/ });
    await button.waitFor();
    const target = ((await button.textContent()) ?? "").replace("Drain ", "");
    await button.click();
    await page
      .locator("#resume-result")
      .getByText(new RegExp(`^Drained ${target} \\(drn_[0-9a-f]{12}\\) for the leak`))
      .waitFor();
    const open = (await api(operator, "/v1/drains?state=active")).body as {
      id: string;
      target: string;
      policy: string;
      reason: string;
    }[];
    const made = open.find((drain) => drain.target === target);
    assert.ok(made, JSON.stringify(open));
    assert.equal(made.policy, "requeue");
    assert.match(made.reason, /leak:h1-r02-03/);
    // Once drained, the alarm proposes nothing more.
    await proposal.waitFor({ state: "detached" });
    await page.screenshot({ path: join(outputDirectory, "maintenance-3-leak.png") });
    await page.context().close();
  });

  test("the drain list pages on the server past its first 50, with filters", async () => {
    const operator = keyOf("camille@alixan.local");
    // 60 ended drains of racks of row h1-r01 and 5 of row h2-r01: more than a page (not h1-r02,
    // whose leak drain above stays open: an overlapping drain of the same target is refused).
    for (let index = 0; index < 65; index++) {
      const target = index < 60 ? `rack:h1-r01-0${(index % 3) + 1}` : `row:h2-r01`;
      const drain = await post(operator, "/v1/drains", { target, reason: `thermography round ${index}` });
      await post(operator, `/v1/drains/${drain.id}/resume`, {});
    }
    const ended = await api(operator, "/v1/drains?state=ended&limit=1");
    const total = Number(ended.total);
    assert.ok(total >= 65, `ended drains: ${total}`);

    const page = await openSignedIn(operator);
    await page.getByLabel("Show").selectOption("ended");
    const rows = page.locator("table.drains tbody tr[data-drain-id]");
    const pager = page.getByRole("navigation", { name: "drains pages" });
    await pager.getByText(`1–50 of ${total} drains`).waitFor();
    assert.equal(await rows.count(), 50);
    const ids = async () =>
      rows.evaluateAll((elements) =>
        elements.map((element) => (element as unknown as { dataset: Record<string, string> }).dataset["drainId"]),
      );
    const firstPage = await ids();
    await pager.getByRole("button", { name: "Next" }).click();
    await pager.getByText(`51–${Math.min(100, total)} of ${total} drains`).waitFor();
    const secondPage = await ids();
    assert.equal(secondPage.length, Math.min(50, total - 50));
    assert.ok(
      secondPage.every((id) => !firstPage.includes(id)),
      "page 2 holds other drains",
    );
    await page.screenshot({ path: join(outputDirectory, "maintenance-4-page-2.png") });
    await pager.getByRole("button", { name: "Previous" }).click();
    await pager.getByText(`1–50 of ${total} drains`).waitFor();

    // Filters go to the server: rows of h2 only, then racks only.
    await page.getByLabel("Target begins with").fill("row:h2-");
    await page.getByRole("button", { name: "Filter" }).click();
    await page
      .locator("table.drains caption")
      .getByText(/^\d+ drains?$/)
      .waitFor();
    await page.waitForFunction(() =>
      [
        ...(
          globalThis as unknown as { document: { querySelectorAll(s: string): { textContent: string }[] } }
        ).document.querySelectorAll("table.drains tbody tr td:nth-child(2)"),
      ].every((cell) => cell.textContent.startsWith("row:h2-")),
    );
    const h2 = await api(operator, "/v1/drains?state=ended&targetPrefix=row%3Ah2-");
    assert.equal(await rows.count(), Number(h2.total));
    assert.equal(await pager.count(), 0, "one page: no pager");
    await page.getByLabel("Target begins with").fill("");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.getByLabel("Kind").selectOption("rack");
    const racks = Number((await api(operator, "/v1/drains?state=ended&kind=rack&limit=1")).total);
    await pager.getByText(`1–50 of ${racks} drains`).waitFor();
    await page.context().close();
  });

  test("a grid event shows a countdown banner on every staff page, and the Maintenance list says what it asked", async () => {
    const operator = keyOf("camille@alixan.local");
    const scheduled = await post(operator, "/v1/grid/events", {
      reduceMW: 2,
      start: new Date(Date.now() + 600_000).toISOString(),
      durationS: 1800,
      reason: "EcoWatt red signal",
    });
    assert.equal(scheduled.state, "scheduled");
    const page = await openSignedIn(operator);
    const banner = page.locator("a.grid-banner");
    await banner.waitFor();
    assert.equal(await banner.getAttribute("data-state"), "scheduled");
    assert.match((await banner.textContent()) ?? "", /^Grid event −2\.0 MW starts in 0:(09|10):\d\d$/);
    const row = page.locator(`.grid-events tr[data-id="${scheduled.id}"]`);
    await row.getByText("EcoWatt red signal").waitFor();
    await row.getByText("scheduled", { exact: true }).waitFor();
    // On another page the banner stays and leads back to Maintenance.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workloads" }).click();
    await banner.click();
    await page.getByRole("heading", { name: "Maintenance", level: 1 }).waitFor();

    // A tenant has no banner: grid events are the operator's business.
    const tenantPage = await harness.openPage();
    await tenantPage.goto(`${harness.baseUrl}/`);
    await tenantPage.getByLabel("API key").fill(keyOf("hugo@rhone-pharma.example"));
    await tenantPage.getByRole("button", { name: "Sign in" }).click();
    await tenantPage.getByRole("navigation", { name: "Main" }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await tenantPage.locator("a.grid-banner").count(), 0);
    await tenantPage.close();

    // Cancelled, the banner goes; an event in force counts down to its end, and goes when it ends.
    await post(operator, `/v1/grid/events/${scheduled.id}/cancel`, {});
    await banner.waitFor({ state: "detached" });
    const active = await post(operator, "/v1/grid/events", { reduceMW: 1, durationS: 10, reason: "RTE test signal" });
    await page.locator('a.grid-banner[data-state="active"]').waitFor();
    assert.match((await banner.textContent()) ?? "", /^Grid event −1\.0 MW: ends in 0:00:(0\d|10)$/);
    await page.screenshot({ path: join(outputDirectory, "maintenance-5-grid-event.png") });
    await banner.waitFor({ state: "detached", timeout: 30_000 });
    await page.locator(`.grid-events tr[data-id="${active.id}"]`).getByText("ended", { exact: true }).waitFor();
    await page.context().close();
  });

  test("an auditor reads drains with no form and no resume control", async () => {
    const page = await openSignedIn(keyOf("audit@alixan.local"));
    await page.getByLabel("Show").selectOption("all");
    await page.locator("table.drains tbody tr").first().waitFor();
    assert.equal(await page.getByRole("heading", { name: "Drain for maintenance" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: /^Resume/ }).count(), 0);
    await page.context().close();
  });
});
