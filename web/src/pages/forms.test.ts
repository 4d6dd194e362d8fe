import { describe, expect, test } from "vitest";
import { ApiError } from "../api/client.ts";
import type { Job, JobArraySubmission, QueueFileQueue } from "../api/types.ts";
import { chartFileName, chartSvg } from "../components/chart-export.ts";
import { markedFields, numberAsTyped, refusalSummary } from "../components/form-errors.tsx";
import { formatPowerKW } from "../format.ts";
import { defaultDataClass, emptyJobForm, formFieldOf, jobSubmissionBody, submittedText } from "./job-form.ts";
import { duplicateResources, formKeyOf, queueRequestBody, quotaRow } from "./queue-form.ts";
import { emptyWhatIfForm, whatIfCsv, whatIfInputOf, whatIfKpiCsv, whatIfRequestOf } from "./whatif-data.ts";

describe("page helpers", () => {
  test("API field paths find their form inputs", () => {
    expect(formFieldOf("body.gpus")).toBe("gpus");
    expect(formFieldOf("gpus")).toBe("gpus");
    expect(formFieldOf("body.topology")).toBe("topology");
    expect(formFieldOf("body")).toBeUndefined();
    expect(formFieldOf("body.unknown")).toBeUndefined();
  });

  test("an API refusal marks the inputs its fields belong to, the first problem per input", () => {
    const refusal = new ApiError("/v1/jobs", {
      status: 400,
      title: "Bad Request",
      detail: "body.gpus must be at least 1, got 0",
      errors: [
        { field: "body.gpus", message: "must be at least 1, got 0" },
        { field: "body.gpus", message: "must be an integer" },
        { field: "body.unknown", message: "is not allowed" },
        { field: "body.topology", message: "must be one of rack, row" },
      ],
    });
    const marked = markedFields(refusal, formFieldOf);
    expect(marked).toEqual({ gpus: "must be at least 1, got 0", topology: "must be one of rack, row" });
    expect(refusalSummary("The job was not submitted", marked, refusal)).toBe(
      "The job was not submitted: correct the marked fields.",
    );
    // Nothing to mark (a conflict, a lost connection): the summary carries the error itself.
    const lost = new Error("Failed to fetch");
    expect(markedFields(lost, formFieldOf)).toEqual({});
    expect(refusalSummary("Nothing was saved", {}, lost)).toBe("Nothing was saved: Failed to fetch");
  });

  test("what-if series and KPIs export as CSV, with what ran on top", () => {
    const side = { pue: [1.1, 1.2], fwsSupplyC: [30, 31], facilityKW: [1000, 1100], outdoorC: [25, 26] };
    const kpis = {
      pue: 1,
      itMWh: 1,
      facilityMWh: 1,
      chillerHours: 0,
      peakGridMW: 1,
      hoursAboveLimit: 0,
      throttledGpuHours: 0,
      throttledRackHours: 0,
      trippedRackHours: 0,
      latchedRackHours: 0,
      lostBusyRackHours: 0,
      lostCpuCoreHours: 0,
      waterM3: 0,
      wue: 0,
      maxFwsSupplyC: 30,
      maxTcsSupplyC: 39.5,
      maxOutdoorC: 26,
    };
    const result = {
      days: 1,
      startDay: 200,
      description: "facility water class W32, 19 July",
      changes: ["facility water class W32"],
      weather: { baseline: "Valence typical year", variant: "Valence typical year" },
      baseline: kpis,
      variant: { ...kpis, throttledRackHours: 3, trippedRackHours: 2, lostBusyRackHours: 1.5, lostCpuCoreHours: 3456 },
      throttling: [
        {
          rackType: "cpu",
          description: "CPU",
          racks: 2,
          baselineRackHours: 0,
          variantRackHours: 3,
          baselineTrippedRackHours: 0,
          variantTrippedRackHours: 2,
          baselineLatchedRackHours: 0,
          variantLatchedRackHours: 0.5,
          baselineLostBusyRackHours: 0,
          variantLostBusyRackHours: 1.5,
        },
      ],
      trippedByHall: [{ hall: "hall:h1", baselineRackHours: 0, variantRackHours: 2 }],
      series: { time: [0, 3_600_000], baseline: side, variant: side },
    };
    const lines = whatIfCsv(result).trim().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe("# facility water class W32, 19 July");
    expect(lines[2]).toBe("1970-01-01T00:00:00.000Z,25,25,1.1,1.1,30,30,1000,1000");
    const table = whatIfKpiCsv(result).trim().split("\n");
    expect(table).toContain("Throttled rack-hours (every type),h,0,3");
    expect(table).toContain("Tripped rack-hours (every type),h,0,2");
    expect(table).toContain("Busy rack-hours lost to throttling and trips (every type),h,0,1.5");
    expect(table).toContain("CPU core-hours lost to throttling and trips,core·h,0,3456");
    expect(table.slice(-5)).toEqual([
      "Throttled rack-hours: cpu,h,0,3",
      "Tripped rack-hours: cpu,h,0,2",
      "Latched rack-hours (of the tripped): cpu,h,0,0.5",
      "Busy rack-hours lost: cpu,h,0,1.5",
      "Tripped rack-hours: hall:h1,h,0,2",
    ]);
  });

  test("what-if forms become requests, and API fields find their inputs", () => {
    expect(whatIfRequestOf({ ...emptyWhatIfForm, days: "2", fail: "cdu:a, cdu:b  pump:c" })).toEqual({
      days: 2,
      fail: ["cdu:a", "cdu:b", "pump:c"],
    });
    expect(
      whatIfRequestOf({ ...emptyWhatIfForm, heatWave: true, waterClass: "W45", ratingType: "", ratingC: "50" }),
    ).toEqual({
      days: 7,
      heatWave: { peakC: 40, days: 4, nightMinimumC: 24 },
      heatWaveInBaseline: false,
      waterClass: "W45",
      rackRatings: [{ maxCoolantSupplyC: 50 }],
    });
    expect(whatIfInputOf("body.heatWave.nightMinimumC")).toBe("whatif-night");
    expect(whatIfInputOf("body.fail[3]")).toBe("whatif-fail");
    expect(whatIfInputOf("body.rackRatings[0].rackType")).toBe("whatif-rating-type");
    expect(whatIfInputOf("body.scenario")).toBe("whatif-scenario");
    // The operator response is typed in minutes and sent in seconds; off as off; other text as typed.
    const response = (text: string) =>
      whatIfRequestOf({ ...emptyWhatIfForm, operatorResponse: text }).operatorResponseS;
    expect(["45", " off ", "OFF", "", "soon"].map(response)).toEqual([2700, "off", "off", undefined, "soon"]);
    expect(whatIfInputOf("body.operatorResponseS")).toBe("whatif-operator");
  });

  test("a number input's text is sent as a number, or as typed, never as null", () => {
    expect([" 16 ", "0.5", "", "  ", "sixteen", "12abc"].map(numberAsTyped)).toEqual([
      16,
      0.5,
      undefined,
      undefined,
      "sixteen",
      "12abc",
    ]);
    // The API checks a body as sent: "hot" is refused naming heatWave.peakC, an empty input as missing (not null).
    const request = whatIfRequestOf({ ...emptyWhatIfForm, heatWave: true, peakC: "hot", waveDays: "", moreRows: "x" });
    expect(request.heatWave).toEqual({ peakC: "hot", nightMinimumC: 24 });
    expect(request.moreRacks).toEqual({ hall: "", pattern: "", rows: "x" });
    expect(JSON.stringify(request)).not.toContain("null");
  });

  test("a chart saved as SVG draws every series and names its axes", () => {
    const svg = chartSvg({
      title: "PUE <site>",
      unit: "",
      time: [0, 3_600_000, 7_200_000],
      series: [
        { label: "Baseline", colour: "#4e79a7", values: [1.1, 1.12, 1.11] },
        { label: "Scenario", colour: "#e15759", values: [1.1, null, 1.2], dash: [6, 3] },
      ],
      minSpan: 0.1,
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("PUE &lt;site&gt;");
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('stroke-dasharray="6 3"');
    expect(svg).toMatch(/Time \(/);
    expect(chartFileName("whatif-day200", "Facility water supply", "svg")).toBe(
      "alixan-whatif-day200-facility-water-supply.svg",
    );
  });

  test("power keeps three significant figures with its prefix", () => {
    expect(formatPowerKW(42.123)).toBe("42.1 kW");
    expect(formatPowerKW(12_400)).toBe("12.4 MW");
    expect(formatPowerKW(1_020_000)).toBe("1.02 GW");
  });
});

describe("job submission form", () => {
  const chosen = {
    projectId: "p1",
    dataClass: "public",
    gpuModels: ["GB300", "H200"],
    acceptedModels: new Set<string>(),
  };

  test("sends what was typed, converted, and leaves out what was left empty", () => {
    expect(jobSubmissionBody({ ...emptyJobForm, name: "train" }, chosen)).toEqual({
      projectId: "p1",
      name: "train",
      gpus: 1,
      topology: "any",
      durationS: 3600,
      dataClass: "public",
    });
    const full = jobSubmissionBody(
      {
        ...emptyJobForm,
        name: "sweep",
        gpus: "8",
        queue: "q",
        priorityClass: "high",
        array: " 0-9%2 ",
        afterOk: "job_a, job_b  job_c",
        hold: true,
        topology: "rack",
        durationMinutes: "1.5",
        deferrable: true,
        deadline: "2026-12-08T10:00",
      },
      { ...chosen, dataClass: "health", acceptedModels: new Set(["H200"]) },
    );
    expect(full).toMatchObject({
      gpus: 8,
      gpuModels: ["H200"],
      queue: "q",
      priorityClass: "high",
      array: "0-9%2",
      dependsOn: [
        { kind: "afterok", jobId: "job_a" },
        { kind: "afterok", jobId: "job_b" },
        { kind: "afterok", jobId: "job_c" },
      ],
      hold: true,
      topology: "rack",
      durationS: 90,
      dataClass: "health",
      deferrable: true,
      deadline: new Date("2026-12-08T10:00").toISOString(),
    });
  });

  test("text that is no number goes as typed, so the API names the field; an empty number is left out", () => {
    const body = jobSubmissionBody({ ...emptyJobForm, gpus: "abc", durationMinutes: "" }, chosen);
    expect(body.gpus).toBe("abc");
    expect("durationS" in body).toBe(false);
  });

  test("accepted models keep the site's order whatever order they were ticked in", () => {
    const body = jobSubmissionBody(emptyJobForm, { ...chosen, acceptedModels: new Set(["H200", "GB300"]) });
    expect(body.gpuModels).toEqual(["GB300", "H200"]);
  });

  test("a new job's data class follows the tenant's kind when the tenant may use it", () => {
    expect(defaultDataClass("hospital", ["public", "health"])).toBe("health");
    expect(defaultDataClass("pharma", ["public", "confidential"])).toBe("confidential");
    expect(defaultDataClass("hospital", ["public"])).toBe("public");
    expect(defaultDataClass(undefined, ["confidential"])).toBe("confidential");
  });

  test("the answer in words: an array's task count, or the job's state and why", () => {
    expect(
      submittedText({ arrayJobId: "job_x", array: "0-9", taskCount: 10, tasks: [] } as unknown as JobArraySubmission),
    ).toBe("Submitted array job_x (0-9): 10 tasks");
    expect(submittedText({ id: "job_y", name: "train", state: "queued", reason: "quota" } as unknown as Job)).toBe(
      "Submitted train (job_y): queued — quota",
    );
    expect(submittedText({ id: "job_z", name: "t", state: "running", reason: null } as unknown as Job)).toBe(
      "Submitted t (job_z): running",
    );
  });
});

describe("queue form", () => {
  test("a resource listed twice is marked on its later rows before anything is sent", () => {
    const rows = [quotaRow("gpu", "8"), quotaRow("cpu", "64"), quotaRow(" gpu", "4")];
    expect(duplicateResources(rows)).toEqual({ "quota.2.resource": " gpu is listed twice" });
    expect(duplicateResources(rows.slice(0, 2))).toEqual({});
  });

  test("the body keeps what the form does not show of an existing queue, and sends numbers typed as numbers", () => {
    const existing = {
      name: "q",
      tenant: "t",
      weight: 2,
      preemption: { withinClusterQueue: "Never" },
      quota: { gpu: { nominal: 8, lendingLimit: 2 } },
    } as unknown as QueueFileQueue;
    const body = queueRequestBody(existing, { tenant: " t ", cohort: "", priorityClass: "normal" }, [
      quotaRow("gpu", "16", ""),
      quotaRow("cpu", "abc", "8"),
    ]);
    expect(body).toEqual({
      tenant: "t",
      weight: 2,
      priorityClass: "normal",
      quota: { gpu: { nominal: 16, lendingLimit: 2 }, cpu: { nominal: "abc", borrowingLimit: 8 } },
      preemption: { withinClusterQueue: "Never" },
    });
    expect(queueRequestBody(undefined, { tenant: "t", cohort: "c", priorityClass: "high" }, [])).toEqual({
      tenant: "t",
      cohort: "c",
      priorityClass: "high",
      quota: {},
    });
  });

  test("the API's field paths come back to the row they name, longest resource first", () => {
    const rows = [quotaRow("gpu", "1"), quotaRow("gpu.H200", "1")];
    expect(formKeyOf('body.quota["gpu.H200"].borrowingLimit', rows)).toBe("quota.1.borrowingLimit");
    expect(formKeyOf("body.quota.gpu.nominal", rows)).toBe("quota.0.nominal");
    expect(formKeyOf("params.name", rows)).toBe("name");
    expect(formKeyOf("body.cohort", rows)).toBe("cohort");
    expect(formKeyOf("body.somethingElse", rows)).toBeUndefined();
  });
});
