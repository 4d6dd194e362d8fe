/**
 * Job actions and priced usage in Chromium against the platform on the lab site, started with usage prices
 * (ALIXAN_USAGE_PRICES' shape) and its clock at 60×: a tenant's Usage page shows cost by project and month that agrees
 * with the monthly statements API, in the table, a chart and the CSV; a tenant member sees a waiting job's deadline on
 * its job page, holds it there and releases it (each after a confirmation, both in the job's history); a tenant admin holds selected
 * jobs in bulk; an array is one row in Workloads and expands to its tasks. axe-core finds no serious or critical violation on these pages.
 *
 * Screenshots go to test-output/browser/ (names start with `jobs-`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import type { Download } from "playwright-core";
import { BrowserHarness, checkEachTestAndStop } from "../support/browser.ts";
import { until } from "../support/wait.ts";

const harness = new BrowserHarness();
const prices = { currency: "EUR", energyPerKWh: 0.2, gpuHour: { "*": 3 }, cpuCoreHour: 0.01 };

interface Statements {
  prices: unknown;
  statements: {
    tenantId: string;
    projects: { projectId?: string; projectName?: string }[];
    cost: { total: number; projects: { projectId?: string; total: number }[] } | null;
  }[];
}

interface JobAnswer {
  id: string;
  state: string;
  held: unknown;
  reason: string;
}

describe("job actions and priced usage in Chromium", { timeout: 300_000 }, () => {
  let projectId = "";
  let projectName = "";
  before(async () => {
    await harness.start("lab", { speed: 60, usagePrices: prices });
    const lea = harness.key("tenant-member", "lea.martin@valdiag.example");
    const projects = await harness.api<{ id: string; name: string }[]>(lea.token, "GET", "/v1/projects");
    projectId = projects[0]!.id;
    projectName = projects[0]!.name;
    const job = await harness.api<JobAnswer>(lea.token, "POST", "/v1/jobs", {
      projectId,
      name: "slide triage",
      gpus: 4,
      durationS: 7 * 86_400,
      dataClass: "health",
    });
    assert.equal(job.state, "running");
    // Usage accrues from the twin's minutes: wait for the first priced energy.
    await until(
      "priced usage",
      async () => {
        const month = new Date(Date.parse((await harness.api<{ to: string }>(lea.token, "GET", "/v1/usage")).to));
        const label = month.toISOString().slice(0, 7);
        const answer = await harness.api<Statements>(lea.token, "GET", `/v1/usage/statements?month=${label}`);
        return (answer.statements[0]?.cost?.total ?? 0) > 0 ? true : undefined;
      },
      60_000,
      1000,
    );
  });
  checkEachTestAndStop(harness);

  test("a tenant sees cost by project and month, agreeing with the statements, in table, chart and CSV", async () => {
    const key = harness.key("tenant-admin", "admin@valdiag.example");
    const projectCost = async (month: string) => {
      const statements = await harness.api<Statements>(key.token, "GET", `/v1/usage/statements?month=${month}`);
      const statement = statements.statements.find((line) => line.tenantId === "valdiag")!;
      return statement.cost!.projects.find((line) => line.projectId === projectId)!.total;
    };
    const usageTo = (await harness.api<{ to: string }>(key.token, "GET", "/v1/usage")).to;
    const before = await projectCost(new Date(Date.parse(usageTo)).toISOString().slice(0, 7));
    const page = await harness.openPage();
    await harness.signIn(page, key, "/usage");
    const table = page.locator("table.usage-table");
    await table.waitFor();
    await page
      .locator("[data-prices='EUR']")
      .getByText(/€0\.20 per kWh/)
      .waitFor();
    await table.locator("th[data-column='cost']").getByText("Cost (EUR)").waitFor();
    await page.locator("figure.bar-chart").filter({ hasText: "Cost (EUR)" }).waitFor();

    const current = table.locator("tbody tr").last();
    assert.match((await current.textContent()) ?? "", new RegExp(projectName));
    const shown = Number(await current.locator("td[data-cost]").getAttribute("data-cost"));
    assert.ok(shown > 0, `cost this month: ${shown}`);
    const month = ((await current.locator("td").first().textContent()) ?? "").trim();
    // Usage only grows while the job runs: the page's figure lies between the API's read before and after it.
    const after = await projectCost(month);
    assert.ok(
      before - 1e-9 <= shown && shown <= after + 1e-9,
      `page ${shown} between the API's ${before} (before) and ${after} (after)`,
    );
    await harness.screenshot(page, "jobs-01-usage-cost");
    assert.deepEqual(await harness.audit(page), [], "axe on the priced usage page");

    const waiting: Promise<Download> = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download (CSV)" }).click();
    const csv = readFileSync(await (await waiting).path(), "utf8")
      .trim()
      .split("\n");
    assert.equal(
      csv[0],
      "month,tenant,project,jobs,gpu_hours,energy_kwh,co2_kg,water_l,cost_energy_EUR,cost_gpu_EUR,cost_cpu_EUR,cost_total_EUR",
    );
    const last = csv.at(-1)!.split(",");
    assert.equal(last[2], projectName);
    assert.ok(Math.abs(Number(last[11]) - shown) < 0.006, `the CSV's cost ${last[11]} is the table's ${shown}`);
    assert.ok(
      Math.abs(Number(last[8]) + Number(last[9]) + Number(last[10]) - Number(last[11])) < 0.011,
      "parts add up to the total",
    );
  });

  test("a tenant member holds a waiting job from its page, then releases it, each after confirming", async () => {
    const lea = harness.key("tenant-member", "lea.martin@valdiag.example");
    const first = await harness.api<JobAnswer>(lea.token, "POST", "/v1/jobs", {
      projectId,
      name: "segmentation",
      gpus: 1,
      durationS: 7 * 86_400,
      dataClass: "health",
    });
    // Waits on the first: a job that is queued, so it may be held. Its page shows the deadline it asked for.
    const deadline = new Date(Date.now() + 2 * 86_400_000).toISOString();
    const waiting = await harness.api<JobAnswer>(lea.token, "POST", "/v1/jobs", {
      projectId,
      name: "report summarising",
      gpus: 1,
      durationS: 3600,
      dataClass: "health",
      dependsOn: [{ kind: "afterok", jobId: first.id }],
      deadline,
    });
    assert.equal(waiting.state, "queued");

    const page = await harness.openPage();
    await harness.signIn(page, lea, "/workloads");
    const row = page.locator(`tr[data-job-id="${waiting.id}"]`);
    await row.waitFor();
    assert.match((await row.textContent()) ?? "", new RegExp(`${projectName}.*afterok ${first.id}`));
    await row.getByRole("link", { name: "report summarising" }).click();
    await page.waitForURL(new RegExp(`/jobs/${waiting.id}$`));
    await page.getByRole("heading", { name: "report summarising", level: 1 }).waitFor();
    await page.locator("dd[data-project-name]").getByText(projectName).waitFor();
    await page.getByRole("link", { name: first.id }).waitFor();
    assert.match((await page.locator(`[data-deadline="${deadline}"]`).textContent()) ?? "", /to end by \d{4}-/);

    // Hold: keeping it changes nothing; confirming holds it with the reason.
    await page.getByRole("button", { name: "Hold report summarising" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Confirm hold" });
    await dialog.getByRole("button", { name: "Keep it" }).click();
    await dialog.waitFor({ state: "detached" });
    assert.equal((await harness.api<JobAnswer>(lea.token, "GET", `/v1/jobs/${waiting.id}`)).held, null);
    await page.getByRole("button", { name: "Hold report summarising" }).click();
    await page.getByLabel("Reason (kept in the job's history)").fill("input slides not ready");
    await harness.screenshot(page, "jobs-02-hold-confirm");
    await page.getByRole("button", { name: "Yes, hold the job" }).click();
    await page.locator("#job-action-result").getByText("Held 1 job.").waitFor();
    await page.locator("dd[data-held-by]").waitFor();
    const held = await harness.api<JobAnswer>(lea.token, "GET", `/v1/jobs/${waiting.id}`);
    assert.notEqual(held.held, null);
    assert.equal(held.state, "queued");
    await page.locator("tr[data-event='job.hold']").waitFor();
    assert.deepEqual(await harness.audit(page), [], "axe on the job page");
    await harness.screenshot(page, "jobs-03-held");

    await page.getByRole("button", { name: "Release report summarising" }).click();
    await page.getByRole("button", { name: "Yes, release the job" }).click();
    await page.locator("#job-action-result").getByText("Released 1 job.").waitFor();
    await page.locator("dd[data-held-by]").waitFor({ state: "detached" });
    const released = await harness.api<JobAnswer>(lea.token, "GET", `/v1/jobs/${waiting.id}`);
    assert.equal(released.held, null);
    assert.match(released.reason, new RegExp(`waiting for job ${first.id}`));
    await page.locator("tr[data-event='job.release']").waitFor();
    const history = await harness.api<{ event: string; detail: { reason?: string } }[]>(
      lea.token,
      "GET",
      `/v1/jobs/${waiting.id}/history`,
    );
    const hold = history.find((event) => event.event === "job.hold");
    assert.equal(hold?.detail.reason, "input slides not ready");
    await harness.screenshot(page, "jobs-04-released");
    for (const id of [waiting.id, first.id]) await harness.api(lea.token, "POST", `/v1/jobs/${id}/cancel`, {});
  });

  test("a tenant admin holds the selected waiting jobs in bulk after confirming, and only those", async () => {
    const admin = harness.key("tenant-admin", "admin@valdiag.example");
    const submit = (name: string, extra: Record<string, unknown> = {}) =>
      harness.api<JobAnswer>(admin.token, "POST", "/v1/jobs", {
        projectId,
        name,
        gpus: 1,
        durationS: 7 * 86_400,
        dataClass: "health",
        ...extra,
      });
    const first = await submit("bulk anchor");
    // Three jobs waiting on the first: two are selected and held, the third is left alone.
    const waiting = [];
    for (const name of ["bulk alpha", "bulk beta", "bulk gamma"]) {
      waiting.push(await submit(name, { dependsOn: [{ kind: "afterok", jobId: first.id }] }));
    }
    const [alpha, beta, gamma] = waiting as [JobAnswer, JobAnswer, JobAnswer];
    assert.deepEqual(
      waiting.map((job) => job.state),
      ["queued", "queued", "queued"],
    );

    const page = await harness.openPage();
    await harness.signIn(page, admin, "/workloads?namePrefix=bulk");
    await page.locator(`tr[data-job-id="${gamma.id}"]`).waitFor();
    const holdSelected = page.getByRole("button", { name: /^Hold selected/ });
    assert.equal(await holdSelected.textContent(), "Hold selected (0)");
    assert.equal(await holdSelected.isDisabled(), true);
    await page.getByRole("checkbox", { name: "Select bulk alpha" }).check();
    await page.getByRole("checkbox", { name: "Select bulk beta" }).check();
    // The running anchor may be cancelled or requeued, not held: only the two waiting jobs count for a hold.
    await page.getByRole("checkbox", { name: "Select bulk anchor" }).check();
    assert.equal(await holdSelected.textContent(), "Hold selected (2)");
    await holdSelected.click();
    const dialog = page.getByRole("alertdialog", { name: "Confirm hold" });
    await dialog.getByRole("button", { name: "Keep them" }).click();
    await dialog.waitFor({ state: "detached" });
    assert.equal((await harness.api<JobAnswer>(admin.token, "GET", `/v1/jobs/${alpha.id}`)).held, null);
    await holdSelected.click();
    await dialog.getByLabel("Reason (kept in the job's history)").fill("waiting for the new slides");
    await dialog.getByRole("button", { name: "Yes, hold 2 jobs" }).click();
    await page.getByText("Held 2 jobs.").waitFor();
    const states = await Promise.all(
      [alpha, beta, gamma, first].map((job) => harness.api<JobAnswer>(admin.token, "GET", `/v1/jobs/${job.id}`)),
    );
    assert.deepEqual(
      states.map((job) => [job.state, job.held !== null]),
      [
        ["queued", true],
        ["queued", true],
        ["queued", false],
        ["running", false],
      ],
    );
    assert.deepEqual(await harness.audit(page), [], "axe on Workloads with a bulk confirmation");
    for (const job of [...waiting, first]) await harness.api(admin.token, "POST", `/v1/jobs/${job.id}/cancel`, {});
  });

  test("an array is one row in Workloads with its task counts, and expands to its tasks", async () => {
    const lea = harness.key("tenant-member", "lea.martin@valdiag.example");
    const array = await harness.api<{ arrayJobId: string; taskCount: number }>(lea.token, "POST", "/v1/jobs", {
      projectId,
      name: "tile sweep",
      gpus: 1,
      durationS: 86_400,
      dataClass: "health",
      array: "0-11%4",
    });
    const page = await harness.openPage();
    await harness.signIn(page, lea, "/workloads?namePrefix=tile");
    const rows = page.locator("table.jobs tbody tr[data-job-id]");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, "twelve tasks, one row");
    const row = rows.first();
    assert.equal(await row.getAttribute("data-array-job-id"), array.arrayJobId);
    assert.equal(await row.locator("[data-array-tasks]").getAttribute("data-array-tasks"), "12");
    assert.match((await row.textContent()) ?? "", /4 running · 8 queued|8 queued · 4 running/);
    await row.getByRole("button", { name: "Show tasks of tile sweep" }).click();
    const tasks = page.locator(`tr[data-array-of="${array.arrayJobId}"] li[data-task-id]`);
    await tasks.first().waitFor();
    assert.equal(await tasks.count(), 12);
    assert.deepEqual(await harness.audit(page), [], "axe on Workloads with an expanded array");
    await harness.screenshot(page, "jobs-05-array-expanded");
    await row.getByRole("link", { name: "tile sweep (array)" }).click();
    await page.getByRole("heading", { name: `Array ${array.arrayJobId}`, level: 1 }).waitFor();
    await page.locator("table.array-tasks-table tbody tr").first().waitFor();
    assert.equal(await page.locator("table.array-tasks-table tbody tr").count(), 12);
    await harness.api(lea.token, "POST", `/v1/job-arrays/${array.arrayJobId}/cancel`, {});
  });
});
