/**
 * Tenant views in Chromium against the platform on the lab site (its clock at 60× so usage accrues in seconds):
 * a tenant's Overview shows its own usage and no facility internals; the Usage page shows GPU-hours, energy, CO₂ and
 * water by project (by name) and month, as charts, a table and CSV that agree with the usage API; the job form's data
 * class follows the tenant's kind.
 *
 * Screenshots go to test-output/browser/ (names start with `tenant-`).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, test } from "node:test";
import type { Download } from "playwright-core";
import { BrowserHarness, checkEachTestAndStop } from "../support/browser.ts";
import { until } from "../support/wait.ts";

const harness = new BrowserHarness();

interface UsageLine {
  tenantId: string;
  projectId?: string;
  energyKWh: number;
  gpuHoursByModel: Record<string, number>;
}

describe("tenant views in Chromium", { timeout: 300_000 }, () => {
  let projectName = "";
  before(async () => {
    await harness.start("lab", { speed: 60 });
    const lea = harness.key("tenant-member", "lea.martin@valdiag.example");
    const projects = await harness.api<{ id: string; name: string }[]>(lea.token, "GET", "/v1/projects");
    projectName = projects[0]!.name;
    for (const name of ["slide triage", "report summarising"]) {
      const job = await harness.api<{ state: string }>(lea.token, "POST", "/v1/jobs", {
        projectId: projects[0]!.id,
        name,
        gpus: 4,
        durationS: 7 * 86_400,
        dataClass: "health",
      });
      assert.equal(job.state, "running");
    }
    // Usage comes from the twin's minute history: wait for the first attributed energy.
    await until(
      "attributed usage",
      async () => {
        const usage = await harness.api<{ projects: UsageLine[] }>(lea.token, "GET", "/v1/usage");
        return usage.projects.some((line) => line.energyKWh > 0) ? true : undefined;
      },
      60_000,
      1000,
    );
  });
  checkEachTestAndStop(harness);

  test("a tenant's Overview shows its own usage and no facility internals", async () => {
    const page = await harness.openPage();
    await harness.signIn(page, harness.key("tenant-admin", "admin@valdiag.example"));
    const summary = page.locator("section.tenant-summary");
    await summary.locator(".kpis").waitFor();
    assert.match((await summary.textContent()) ?? "", /GPU-hours.*Energy.*CO₂.*Water/s);
    const text = (await page.locator("main").textContent()) ?? "";
    for (const internal of ["Design IT load", "Capacity by level", "transformer", "CDUs", "Grid connection"]) {
      assert.ok(!text.includes(internal), `a tenant sees "${internal}"`);
    }
    assert.equal(await page.getByRole("heading", { name: "Design", exact: true }).count(), 0);
    await harness.screenshot(page, "tenant-01-overview");
  });

  test("the Usage page shows usage by project name and month, as charts, table and CSV", async () => {
    const key = harness.key("tenant-admin", "admin@valdiag.example");
    const page = await harness.openPage();
    await harness.signIn(page, key, "/usage");
    const table = page.locator("table.usage-table");
    await table.waitFor();
    assert.equal(await page.locator("figure.bar-chart").count(), 4, "GPU-hours, energy, CO₂, water");
    const rows = table.locator("tbody tr");
    const texts = await rows.allTextContents();
    assert.ok(texts.length >= 6, "six months");
    assert.ok(
      texts.every((line) => line.includes(projectName)),
      `rows name the project ${projectName}: ${texts.join(" | ")}`,
    );
    assert.ok(
      texts.every((line) => !/prj_/.test(line)),
      "no project ids",
    );
    // No prices on this platform: the page says so and shows no cost anywhere.
    await page.locator("[data-prices='none']").getByText("No prices configured").waitFor();
    assert.equal(await table.locator("th[data-column='cost']").count(), 0, "no cost column");
    assert.equal(await page.locator("figure.bar-chart").filter({ hasText: "Cost" }).count(), 0, "no cost chart");
    await harness.screenshot(page, "tenant-02-usage");

    const waiting: Promise<Download> = page.waitForEvent("download");
    await page.getByRole("button", { name: "Download (CSV)" }).click();
    const csv = readFileSync(await (await waiting).path(), "utf8")
      .trim()
      .split("\n");
    assert.equal(csv[0], "month,tenant,project,jobs,gpu_hours,energy_kwh,co2_kg,water_l");
    const current = csv.at(-1)!.split(",");
    assert.equal(current[1], "valdiag");
    assert.equal(current[2], projectName);
    assert.equal(current[3], "2", "both jobs this month");
    assert.ok(Number(current[5]) > 0, `energy this month: ${current[5]}`);
    // Another tenant sees none of ValDiag's lines.
    const other = await harness.api<{ projects: UsageLine[] }>(
      harness.key("tenant-admin", "admin@rhone-pharma.example").token,
      "GET",
      "/v1/usage",
    );
    assert.ok(other.projects.every((line) => line.tenantId === "rhone-pharma"));
  });

  test("the job form's data class follows the tenant's kind", async () => {
    const cases = [
      ["tenant-member", "lea.martin@valdiag.example", "health"],
      ["tenant-member", "hugo@rhone-pharma.example", "confidential"],
      ["student", "ines@campus-valence.example", "public"],
    ] as const;
    for (const [role, email, expected] of cases) {
      const page = await harness.openPage();
      await harness.signIn(page, harness.key(role, email), "/workloads");
      const select = page.getByLabel("Data class", { exact: true });
      await select.waitFor();
      await page.waitForFunction(
        (value) =>
          (
            globalThis as unknown as { document: { getElementById(id: string): { value: string } | null } }
          ).document.getElementById("job-dataClass")?.value === value,
        expected,
      );
      if (expected === "health") await harness.screenshot(page, "tenant-03-job-form-health");
    }
  });
});
