import { describe, expect, test } from "vitest";
import { Capabilities, permissionsOf } from "./capabilities.ts";

describe("capabilities", () => {
  test("routes come from the OpenAPI paths", () => {
    const capabilities = Capabilities.fromOpenApi({
      paths: {
        "/v1/state/racks": { get: {} },
        "/v1/state/site": { get: {} },
        "/v1/jobs": { get: {}, post: {} },
      },
    });
    expect(capabilities.liveState).toBe(true);
    expect(capabilities.liveStream).toBe(false);
    expect(capabilities.jobs).toBe(true);
    expect(capabilities.has("POST", "/v1/jobs")).toBe(true);
    expect(capabilities.whatIf).toBe(false);
    expect(Capabilities.fromOpenApi(null).alarms).toBe(false);
  });

  test("roles: staff see the facility, tenants submit jobs, auditors only read", () => {
    expect(permissionsOf("facility-operator")).toMatchObject({
      staff: true,
      acknowledgeAlarms: true,
      runWhatIf: true,
      submitJobs: false,
    });
    expect(permissionsOf("auditor")).toMatchObject({
      staff: true,
      acknowledgeAlarms: false,
      runWhatIf: false,
      cancelJobs: false,
    });
    expect(permissionsOf("student")).toMatchObject({ staff: false, submitJobs: true, runWhatIf: false });
  });
});
