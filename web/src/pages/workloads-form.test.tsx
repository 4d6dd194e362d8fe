import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import type { FormField } from "./job-form.ts";
import { emptyJobForm } from "./job-form.ts";
import { JobPlacementFields } from "./WorkloadsPage.tsx";

/** The placement fields as a refusal marks them: `errors` keyed by the API field each names. */
function placement(errors: Partial<Record<FormField, string>>): string {
  return renderToStaticMarkup(
    <JobPlacementFields
      form={{ values: emptyJobForm, set: () => () => {}, setValues: () => {}, errors }}
      gpuModels={["GB300", "H200"]}
      acceptedModels={new Set()}
      setAcceptedModels={() => {}}
      myQueues={[]}
      chosenQueue={undefined}
      classes={[]}
    />,
  );
}

describe("job form placement fields", () => {
  test("the accepted-models group is described by its error, whichever model field the API names", () => {
    for (const field of ["gpuModels", "gpuModel"] as const) {
      const html = placement({ [field]: "no GPU model X200 on this site" });
      const group = html.match(/<fieldset [^>]*>/)?.[0] ?? "";
      expect(group, field).toContain('aria-describedby="job-gpuModels-error"');
      expect(html, field).toContain(
        '<span id="job-gpuModels-error" class="field-error">no GPU model X200 on this site</span>',
      );
    }
    expect(placement({}).match(/<fieldset [^>]*>/)?.[0]).not.toContain("aria-describedby");
  });

  test("a refused GPU count is invalid and described by its error", () => {
    const html = placement({ gpus: "must be at least 1" });
    const input = html.match(/<input [^>]*id="job-gpus"[^>]*>/)?.[0] ?? "";
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain('aria-describedby="job-gpus-error"');
  });
});
