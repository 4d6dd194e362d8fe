import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, test } from "vitest";
import { Field, FieldError, fieldControl } from "./field.tsx";

/** The attributes of the element with `id` in `html` (server markup: one tag per element, attributes quoted). */
function attributesOf(html: string, id: string): Record<string, string> {
  const tag = html.match(new RegExp(`<[a-z]+ [^>]*id="${id}"[^>]*>`))?.[0];
  if (tag === undefined) throw new Error(`no element with id ${id} in ${html}`);
  return Object.fromEntries([...tag.matchAll(/([a-zA-Z-]+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
}

describe("Field", () => {
  test("labels its control; a field not refused is valid and described by nothing", () => {
    const html = renderToStaticMarkup(
      <Field id="drain-reason" label="Reason">
        {(control) => <input {...control} />}
      </Field>,
    );
    expect(html).toContain('<label for="drain-reason">Reason</label>');
    const input = attributesOf(html, "drain-reason");
    expect(input["aria-invalid"]).toBe("false");
    expect(input["aria-describedby"]).toBeUndefined();
    expect(html).not.toContain("field-error");
    expect(html.startsWith('<div class="field">')).toBe(true);
  });

  test("a refused field is invalid and described by its error, shown under it", () => {
    const html = renderToStaticMarkup(
      <Field id="drain-target" label="Id" error="no row row:h9-r99 on site lab">
        {(control) => <input {...control} />}
      </Field>,
    );
    const input = attributesOf(html, "drain-target");
    expect(input["aria-invalid"]).toBe("true");
    expect(input["aria-describedby"]).toBe("drain-target-error");
    const error = attributesOf(html, "drain-target-error");
    expect(error.class).toBe("field-error");
    expect(html).toContain(">no row row:h9-r99 on site lab</span>");
    // The error follows the control, so it reads after it.
    expect(html.indexOf('id="drain-target-error"')).toBeGreaterThan(html.indexOf('id="drain-target"'));
  });

  test("a hint describes the control before its error, both by id", () => {
    const withHint = (error?: string) =>
      renderToStaticMarkup(
        <Field id="job-array" label="Array" hint="e.g. 0-99%10" error={error}>
          {(control) => <input {...control} />}
        </Field>,
      );
    const calm = withHint();
    expect(attributesOf(calm, "job-array")["aria-describedby"]).toBe("job-array-hint");
    expect(attributesOf(calm, "job-array-hint").class).toBe("field-help");
    const refused = withHint("bad range");
    expect(attributesOf(refused, "job-array")["aria-describedby"]).toBe("job-array-hint job-array-error");
    expect(attributesOf(refused, "job-array")["aria-invalid"]).toBe("true");
  });

  test("an alerting field announces its error as it appears, and only then", () => {
    const field = (error?: string) =>
      renderToStaticMarkup(
        <Field id="api-key" label="API key" hint="Kept in this tab only" error={error} alert>
          {(control) => <input type="password" {...control} />}
        </Field>,
      );
    expect(attributesOf(field("This key was refused"), "api-key-error").role).toBe("alert");
    expect(field()).not.toContain('role="alert"');
    expect(attributesOf(field(), "api-key")["aria-describedby"]).toBe("api-key-hint");
    // Without `alert` an error is not a live region: the form's own summary says it.
    const quiet = renderToStaticMarkup(
      <Field id="drain-reason" label="Reason" error="required">
        {(control) => <input {...control} />}
      </Field>,
    );
    expect(attributesOf(quiet, "drain-reason-error").role).toBeUndefined();
  });

  test("a checkbox field puts the box before its label", () => {
    const html = renderToStaticMarkup(
      <Field id="job-hold" label="Submit held" check>
        {(control) => <input type="checkbox" {...control} />}
      </Field>,
    );
    expect(html.startsWith('<div class="field field-check"><input')).toBe(true);
    expect(html.indexOf("<label")).toBeGreaterThan(html.indexOf("<input"));
  });

  test("the control gets exactly the id it is labelled by, whatever element it is", () => {
    const html = renderToStaticMarkup(
      <Field id="queue-new-cohort" label="Cohort" error="no cohort x">
        {(control) => (
          <select {...control}>
            <option value="">none</option>
          </select>
        )}
      </Field>,
    );
    expect(attributesOf(html, "queue-new-cohort")["aria-describedby"]).toBe("queue-new-cohort-error");
    expect(html).toMatch(/<select [^>]*id="queue-new-cohort"/);
  });
});

describe("fieldControl and FieldError", () => {
  test("a group's error carries the id its attributes point at", () => {
    const control = fieldControl("job-gpuModels", "unknown model");
    expect(control).toEqual({
      id: "job-gpuModels",
      "aria-invalid": true,
      "aria-describedby": "job-gpuModels-error",
    });
    const html = renderToStaticMarkup(<FieldError id="job-gpuModels" error="unknown model" />);
    expect(attributesOf(html, control["aria-describedby"] ?? "")).toEqual({
      id: "job-gpuModels-error",
      class: "field-error",
    });
    expect(renderToStaticMarkup(<FieldError id="job-gpuModels" error={undefined} />)).toBe("");
  });
});
