/**
 * The console's Queues page in Chromium (Debian's, through playwright-core) on the lab site: a platform admin creates
 * a queue for tenant valdiag with an H200 quota, sees it listed, changes its nominal quota (checked through the API),
 * is shown the server's field error beside a refused value, is refused deleting a queue with waiting work (the
 * server's 409 detail shown), and deletes the new queue after confirming; a tenant member sees only their tenant's
 * queues, read-only. Any unexpected browser console error fails the test. Screenshots go to test-output/browser/.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); set CHROMIUM_PATH to use another binary.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import type { Page } from "playwright-core";
import { BrowserHarness, checkEachTestAndStop, outputDirectory } from "../support/browser.ts";

const harness = new BrowserHarness();
const keyOf = (email: string): string => harness.keyOf(email);

/** A call from the test, answered whatever its status. */
async function call(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> {
  const answer = await harness.request(token, method, path, body);
  return { status: answer.status, body: answer.body };
}

/** A GET from the test, answered whatever its status. */
const api = (token: string, path: string) => call(token, "GET", path);

/** A new page signed in with `token`, on the Queues page. */
async function openSignedIn(token: string): Promise<Page> {
  const page = await harness.openPage();
  await harness.signIn(page, { token });
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Queues" }).click();
  await page.getByRole("heading", { name: "Queues", level: 1 }).waitFor();
  return page;
}

/** A queue as `GET /v1/queues` lists it. */
interface Listed {
  readonly name: string;
  readonly tenantId: string;
  readonly cohort: string | null;
  readonly nominal: Record<string, number>;
}

describe("Queues page in Chromium", { timeout: 300_000 }, () => {
  before(async () => {
    await harness.start("lab", { demoLoad: 0 });
  });
  checkEachTestAndStop(harness);

  test("an admin creates a valdiag queue, changes its quota, sees a refused value marked, and deletes it", async () => {
    const admin = keyOf("admin@alixan.local");
    const member = keyOf("lea.martin@valdiag.example");
    // The lab site's GPU models are the flavours of its root cohort's quota.
    const config = (await api(admin, "/v1/queue-config")).body as {
      config: { cohorts: { name: string; quota?: Record<string, unknown> }[] };
    };
    const flavours = config.config.cohorts.flatMap((cohort) => Object.keys(cohort.quota ?? {}));
    assert.ok(flavours.includes("gpu.H200"), `lab flavours: ${flavours.join(", ")}`);
    assert.ok(config.config.cohorts.some((cohort) => cohort.name === "health"));

    const page = await openSignedIn(admin);
    const create = page.getByRole("region", { name: "Create a queue" });
    await create.getByLabel("Queue name").fill("valdiag-batch");
    await create.getByLabel("Tenant").fill("valdiag");
    await create.getByLabel("Cohort").selectOption("health");
    await create.getByLabel("Priority class").selectOption("normal");
    await create.getByLabel("Resource").selectOption("gpu.H200");
    await create.getByLabel("Nominal (GPUs)").fill("2");
    await create.getByRole("button", { name: "Create queue" }).click();
    await page
      .locator("#queue-outcome")
      .getByText(/^Created queue valdiag-batch \(configuration version \d+\)\.$/)
      .waitFor();
    const row = page.locator('tr[data-queue="valdiag-batch"]');
    await row.getByText("valdiag", { exact: true }).waitFor();
    await row.getByText("health", { exact: true }).waitFor();
    await row.locator('li[data-resource="gpu.H200"]').getByText("0 / 2 GPUs").waitFor();
    await page.screenshot({ path: join(outputDirectory, "queues-1-created.png") });
    let listed = ((await api(admin, "/v1/queues")).body as Listed[]).find((queue) => queue.name === "valdiag-batch");
    assert.deepEqual(listed && { tenantId: listed.tenantId, cohort: listed.cohort, h200: listed.nominal["gpu.H200"] }, {
      tenantId: "valdiag",
      cohort: "health",
      h200: 2,
    });

    // Edit: the nominal quota becomes 3, which the API then reports.
    await row.getByRole("button", { name: "Edit valdiag-batch" }).click();
    const edit = page.getByRole("region", { name: "Edit queue valdiag-batch" });
    assert.equal(await edit.getByLabel("Nominal (GPUs)").inputValue(), "2");
    await edit.getByLabel("Nominal (GPUs)").fill("3");
    await edit.getByRole("button", { name: "Save quota" }).click();
    await page
      .locator("#queue-outcome")
      .getByText(/^Updated queue valdiag-batch/)
      .waitFor();
    await row.locator('li[data-resource="gpu.H200"]').getByText("0 / 3 GPUs").waitFor();
    listed = ((await api(admin, "/v1/queues")).body as Listed[]).find((queue) => queue.name === "valdiag-batch");
    assert.equal(listed?.nominal["gpu.H200"], 3);

    // A negative quota, then one that is not a number: the server refuses, the field says why, nothing changes.
    harness.allowed = [/status of 400/];
    await row.getByRole("button", { name: "Edit valdiag-batch" }).click();
    await edit.getByLabel("Nominal (GPUs)").fill("-1");
    await edit.getByRole("button", { name: "Save quota" }).click();
    await edit.locator(".field-error").getByText("must be at least 0, got -1").waitFor();
    assert.equal(await edit.getByLabel("Nominal (GPUs)").getAttribute("aria-invalid"), "true");
    await edit.getByText("Nothing was saved: correct the marked fields.").waitFor();
    await page.screenshot({ path: join(outputDirectory, "queues-2-field-error.png") });
    await edit.getByLabel("Nominal (GPUs)").fill("three");
    await edit.getByRole("button", { name: "Save quota" }).click();
    await edit
      .locator(".field-error")
      .getByText(/number/)
      .waitFor();
    listed = ((await api(admin, "/v1/queues")).body as Listed[]).find((queue) => queue.name === "valdiag-batch");
    assert.equal(listed?.nominal["gpu.H200"], 3);
    await edit.getByRole("button", { name: "Cancel" }).click();

    // Work in the queue: deleting is refused with the server's reason shown.
    harness.allowed = [/status of 409/];
    const projects = (await call(member, "GET", "/v1/projects")).body as { id: string }[];
    const submitted = await call(member, "POST", "/v1/jobs", {
      projectId: projects[0]?.id,
      name: "queue-in-use",
      gpus: 1,
      gpuModel: "H200",
      durationS: 86_400,
      dataClass: "confidential",
      queue: "valdiag-batch",
    });
    assert.ok(submitted.status === 201 || submitted.status === 202, JSON.stringify(submitted.body));
    await row.getByRole("button", { name: "Delete valdiag-batch" }).click();
    await row.getByText("Delete queue valdiag-batch? Its tenant can no longer submit to it.").waitFor();
    await row.getByRole("button", { name: "Confirm delete" }).click();
    await page
      .locator("#queue-outcome")
      .getByText(/^Queue valdiag-batch was not deleted: queue valdiag-batch still has waiting or running jobs/)
      .waitFor();
    await page.screenshot({ path: join(outputDirectory, "queues-3-delete-refused.png") });
    assert.equal((await api(admin, "/v1/queues")).status, 200);
    assert.ok(((await api(admin, "/v1/queues")).body as Listed[]).some((queue) => queue.name === "valdiag-batch"));

    // Once its job is cancelled, keeping it changes nothing and confirming deletes it.
    const cancelled = await call(member, "POST", `/v1/jobs/${(submitted.body as { id: string }).id}/cancel`, {});
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    await row.getByRole("button", { name: "Delete valdiag-batch" }).click();
    await row.getByRole("button", { name: "Keep" }).click();
    assert.ok(((await api(admin, "/v1/queues")).body as Listed[]).some((queue) => queue.name === "valdiag-batch"));
    await row.getByRole("button", { name: "Delete valdiag-batch" }).click();
    await row.getByRole("button", { name: "Confirm delete" }).click();
    await page
      .locator("#queue-outcome")
      .getByText(/^Deleted queue valdiag-batch/)
      .waitFor();
    await row.waitFor({ state: "detached" });
    assert.ok(!((await api(admin, "/v1/queues")).body as Listed[]).some((queue) => queue.name === "valdiag-batch"));
    await page.context().close();
  });

  test("an admin starts and stops the demo load and downloads the Kueue export", async () => {
    const admin = keyOf("admin@alixan.local");
    const page = await openSignedIn(admin);
    const demo = page.getByRole("region", { name: "Demo load" });
    await demo.getByText(/^Stopped\./).waitFor();
    // A share the API refuses (over 100 %) is marked on its input, which its message describes.
    const share = demo.getByLabel("Load share (% of GPUs)");
    await share.fill("150");
    harness.allowed = [/status of 400/];
    await demo.getByRole("button", { name: "Start demo load" }).click();
    await demo
      .locator(".field-error")
      .getByText(/^Load share: /)
      .waitFor();
    harness.allowed = [];
    assert.equal(await share.getAttribute("aria-invalid"), "true");
    const describedBy = (await share.getAttribute("aria-describedby")) ?? "";
    assert.notEqual(describedBy, "", "the refused share is described by nothing");
    assert.match((await page.locator(`#${describedBy}`).textContent()) ?? "", /^Load share: /);
    await share.fill("20");
    await demo.getByRole("button", { name: "Start demo load" }).click();
    await demo.getByText(/^Running at 20 % of the site's GPUs since/).waitFor();
    const running = (await api(admin, "/v1/demo")).body as { running: boolean; load: number };
    assert.deepEqual({ running: running.running, load: running.load }, { running: true, load: 0.2 });
    await demo.getByRole("button", { name: "Stop demo load" }).click();
    await demo.getByText(/^Stopped\./).waitFor();
    assert.equal(((await api(admin, "/v1/demo")).body as { running: boolean }).running, false);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Download Kueue export" }).click(),
    ]);
    assert.equal(download.suggestedFilename(), "kueue-queues.yaml");
    const path = await download.path();
    const yaml = readFileSync(path, "utf8");
    assert.match(yaml, /kind: ClusterQueue/);
    assert.match(yaml, /name: diagnostics/);
    await page.context().close();
  });

  test("a tenant member sees only their tenant's queues, read-only", async () => {
    const member = keyOf("lea.martin@valdiag.example");
    const own = ((await api(member, "/v1/queues")).body as Listed[]).map((queue) => queue.name).sort();
    assert.ok(own.length > 0);
    const page = await openSignedIn(member);
    await page.locator("table.queues tbody tr").first().waitFor();
    const shown = (
      await page
        .locator("table.queues tbody tr")
        .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-queue") ?? ""))
    ).sort();
    assert.deepEqual(shown, own);
    const tenants = await page.locator("table.queues tbody tr td:first-child .muted").allTextContents();
    assert.ok(
      tenants.every((tenant) => tenant === "valdiag"),
      tenants.join(", "),
    );
    assert.equal(await page.getByRole("region", { name: "Create a queue" }).count(), 0);
    assert.equal(await page.getByRole("region", { name: "Demo load" }).count(), 0);
    assert.equal(await page.getByRole("button", { name: /^(Edit|Delete) / }).count(), 0);
    assert.equal(await page.getByRole("button", { name: "Download Kueue export" }).count(), 0);
    await page.screenshot({ path: join(outputDirectory, "queues-4-tenant.png") });
    await page.context().close();
  });
});
