/**
 * The console's Maintenance page in Chromium (Debian's, through playwright-core) on the lab site: a facility
 * operator drains what a CDU feeds with the form (after a refused target whose field is marked), sees it active in the
 * list, and resumes it after confirming; an auditor reads the list with no controls. Any unexpected browser console
 * error fails the test. Screenshots go to test-output/browser/.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); set CHROMIUM_PATH to use another binary.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, afterEach, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";
import { type ComposedApp, composeApp } from "../../src/app/compose.ts";
import { defaultFeatures } from "../../src/app/features/index.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const webDirectory = join(root, "web");
const distDirectory = join(webDirectory, "dist");
const outputDirectory = join(root, "test-output", "browser");
const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** Newest modification time of the console's sources. */
function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "dist" || entry === "node_modules") continue;
    newest = Math.max(newest, newestSource(join(path, entry)));
  }
  return newest;
}

/** Builds web/dist when it is missing or older than a source file. */
function ensureConsoleBuilt(): void {
  const index = join(distDirectory, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(webDirectory)) return;
  const vite = join(root, "node_modules", "vite", "bin", "vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--config", join(webDirectory, "vite.config.ts")], {
    cwd: root,
    encoding: "utf8",
    timeout: 180_000,
  });
  assert.equal(result.status, 0, `vite build failed:\n${result.stdout}\n${result.stderr}`);
}

let app: ComposedApp;
let baseUrl: string;
let browser: Browser;
const consoleErrors: string[] = [];
let allowConsoleErrors: RegExp[] = [];

const keyOf = (email: string): string => {
  const key = app.demoKeys?.find((candidate) => candidate.email === email);
  assert.ok(key, `no demo key for ${email}`);
  return key.token;
};

async function api(token: string, path: string): Promise<{ status: number; body: unknown; total: string | null }> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json(), total: response.headers.get("x-total-count") };
}

async function openSignedIn(token: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  await context.addInitScript("globalThis.__name = (target) => target;");
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = `${message.text()} (${message.location().url})`;
    if (!allowConsoleErrors.some((pattern) => pattern.test(text))) consoleErrors.push(text);
  });
  page.on("pageerror", (error) => consoleErrors.push(`uncaught: ${error.message}`));
  await page.goto(`${baseUrl}/`);
  await page.getByLabel("API key").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Maintenance" }).click();
  await page.getByRole("heading", { name: "Maintenance", level: 1 }).waitFor();
  return page;
}

describe("Maintenance page in Chromium", { timeout: 300_000 }, () => {
  before(async () => {
    assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`);
    mkdirSync(outputDirectory, { recursive: true });
    ensureConsoleBuilt();
    app = await composeApp({
      site: "lab",
      store: { kind: "pglite", dataDir: "memory" },
      seed: true,
      features: defaultFeatures({ telemetryInMemory: true, demoLoad: 0 }),
    });
    baseUrl = await app.server.listen({ port: 0, host: "127.0.0.1" });
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
    });
  });

  afterEach(() => {
    const errors = consoleErrors.splice(0);
    allowConsoleErrors = [];
    assert.deepEqual(errors, [], `browser console errors:\n${errors.join("\n")}`);
  });

  after(async () => {
    await browser?.close();
    await app?.close();
  });

  test("an operator drains a CDU's racks with the form and resumes the drain after confirming", async () => {
    const operator = keyOf("camille@alixan.local");
    const page = await openSignedIn(operator);
    await page.getByText("No drain to show.").waitFor();

    // A target the site does not have: the field is marked with the server's words, nothing is drained.
    allowConsoleErrors = [/status of 400/];
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
    const sample = await fetch(`${baseUrl}/v1/telemetry/samples`, {
      method: "POST",
      headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
      body: JSON.stringify({
        samples: [{ name: "leak_detector_state", labels: { equipment: "leak:h1-r02-03" }, value: 2 }],
      }),
    });
    assert.equal(sample.status, 200, await sample.text());
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
    // 60 ended drains of racks of row h1-r02 and 5 of row h2-r01: more than a page.
    const post = (path: string, body: unknown) =>
      fetch(`${baseUrl}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (response) => {
        const text = await response.text();
        assert.ok(response.ok, `${path}: ${response.status} ${text}`);
        return JSON.parse(text) as { id: string };
      });
    for (let index = 0; index < 65; index++) {
      const target = index < 60 ? `rack:h1-r02-0${(index % 3) + 1}` : `row:h2-r01`;
      const drain = await post("/v1/drains", { target, reason: `thermography round ${index}` });
      await post(`/v1/drains/${drain.id}/resume`, {});
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
    const post = async (path: string, body: unknown) => {
      const response = await fetch(`${baseUrl}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${operator}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${path}: ${response.status} ${text}`);
      return JSON.parse(text) as { id: string; state: string };
    };
    const scheduled = await post("/v1/grid/events", {
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
    const tenantPage = await browser.newPage();
    await tenantPage.goto(`${baseUrl}/`);
    await tenantPage.getByLabel("API key").fill(keyOf("hugo@rhone-pharma.example"));
    await tenantPage.getByRole("button", { name: "Sign in" }).click();
    await tenantPage.getByRole("navigation", { name: "Main" }).waitFor();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(await tenantPage.locator("a.grid-banner").count(), 0);
    await tenantPage.close();

    // Cancelled, the banner goes; an event in force counts down to its end, and goes when it ends.
    await post(`/v1/grid/events/${scheduled.id}/cancel`, {});
    await banner.waitFor({ state: "detached" });
    const active = await post("/v1/grid/events", { reduceMW: 1, durationS: 10, reason: "RTE test signal" });
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
