/**
 * alixan's own job format: `{ "version": 1, "jobs": [ { ... } ] }` (or a bare list), one object per job with the
 * fields of `JobSpec` (see `fieldNames`); only `queue`, `submitS` and `durationS` are required. `gpuModels` may be a
 * list or a `|`-separated text; `topology` an object `{ scope, required }` or a scope name (a preference);
 * `flexibility` the class the job declares (`src/model/flexibility.ts`), checked against its queue's class when a
 * curtailment in the twin looks at it.
 *
 * Rules: text that is not JSON rejects the file with the parser's position; a job with an unknown field, a field of
 * the wrong type or inconsistent fields is reported with its path (`jobs[3].gpus`) and line and skipped.
 */
import { LineCounter, parseDocument } from "yaml";
import { didYouMean } from "../../model/diagnostics.ts";
import { type FlexClass, flexClasses } from "../../model/flexibility.ts";
import type { TraceDiagnostic } from "../csv.ts";
import {
  type DataClass,
  dataClasses,
  type JobSpec,
  jobSpec,
  specProblems,
  type TopologyConstraint,
  type TopologyScope,
  topologyScopes,
} from "../jobs.ts";
import type { TraceReadResult } from "./openb.ts";

/** Fields a job object may carry. */
export const fieldNames = [
  "id",
  "queue",
  "submitS",
  "durationS",
  "expectedDurationS",
  "members",
  "gpus",
  "gpuMilli",
  "gpuModels",
  "cpuMilli",
  "memoryMib",
  "topology",
  "priorityClass",
  "deferrable",
  "deadlineS",
  "dataClass",
  "flexibility",
  "outcome",
  "cancelAtS",
] as const;

type Raw = Record<string, unknown>;

function readJob(raw: unknown, index: number, problems: string[]): JobSpec | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push(`expected an object, got ${JSON.stringify(raw)}`);
    return undefined;
  }
  const job = raw as Raw;
  for (const key of Object.keys(job)) {
    if (!(fieldNames as readonly string[]).includes(key))
      problems.push(`${key}: unknown field${didYouMean(key, fieldNames)}`);
  }
  const number = (key: string, fallback?: number): number => {
    const value = job[key];
    if (value === undefined) {
      if (fallback === undefined) problems.push(`${key}: missing`);
      return fallback ?? 0;
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      problems.push(`${key}: expected a number, got ${JSON.stringify(value)}`);
      return fallback ?? 0;
    }
    return value;
  };
  const optionalNumber = (key: string): number | undefined => (job[key] === undefined ? undefined : number(key, 0));
  const text = (key: string, fallback?: string): string => {
    const value = job[key];
    if (value === undefined) {
      if (fallback === undefined) problems.push(`${key}: missing`);
      return fallback ?? "";
    }
    if (typeof value !== "string") {
      problems.push(`${key}: expected a text, got ${JSON.stringify(value)}`);
      return fallback ?? "";
    }
    return value;
  };
  const gpus = number("gpus", 0);
  const modelsValue = job["gpuModels"];
  let gpuModels: string[] = [];
  if (typeof modelsValue === "string")
    gpuModels = modelsValue
      .split("|")
      .map((model) => model.trim())
      .filter(Boolean);
  else if (Array.isArray(modelsValue) && modelsValue.every((model) => typeof model === "string"))
    gpuModels = modelsValue;
  else if (modelsValue !== undefined)
    problems.push(`gpuModels: expected a list of model names, got ${JSON.stringify(modelsValue)}`);
  let topology: TopologyConstraint | undefined;
  const topologyValue = job["topology"];
  const scopeOf = (value: unknown): TopologyScope | undefined => {
    if (typeof value === "string" && (topologyScopes as readonly string[]).includes(value))
      return value as TopologyScope;
    problems.push(`topology: scope must be one of: ${topologyScopes.join(", ")}; got ${JSON.stringify(value)}`);
    return undefined;
  };
  if (typeof topologyValue === "string") {
    const scope = scopeOf(topologyValue);
    if (scope !== undefined) topology = { scope, required: false };
  } else if (typeof topologyValue === "object" && topologyValue !== null && !Array.isArray(topologyValue)) {
    const { scope: scopeValue, required, ...rest } = topologyValue as Raw;
    for (const key of Object.keys(rest)) problems.push(`topology.${key}: unknown field (expected scope, required)`);
    if (required !== undefined && typeof required !== "boolean")
      problems.push(`topology.required: expected true or false`);
    const scope = scopeOf(scopeValue);
    if (scope !== undefined) topology = { scope, required: required === true };
  } else if (topologyValue !== undefined) problems.push(`topology: expected a scope name or { scope, required }`);
  const dataClass = text("dataClass", "public");
  if (!(dataClasses as readonly string[]).includes(dataClass)) {
    problems.push(`dataClass: must be one of: ${dataClasses.join(", ")}; got "${dataClass}"`);
  }
  const flexibility = job["flexibility"] === undefined ? undefined : text("flexibility");
  if (flexibility !== undefined && !(flexClasses as readonly string[]).includes(flexibility)) {
    problems.push(`flexibility: must be one of: ${flexClasses.join(", ")}; got "${flexibility}"`);
  }
  const outcome = text("outcome", "succeeded");
  if (outcome !== "succeeded" && outcome !== "failed")
    problems.push(`outcome: expected succeeded or failed, got "${outcome}"`);
  const deferrable = job["deferrable"];
  if (deferrable !== undefined && typeof deferrable !== "boolean") problems.push("deferrable: expected true or false");
  const priorityClass = job["priorityClass"] === undefined ? undefined : text("priorityClass");
  const durationS = number("durationS");
  const spec = jobSpec({
    id: text("id", `job-${index + 1}`),
    queue: text("queue"),
    submitS: number("submitS"),
    durationS,
    expectedDurationS: number("expectedDurationS", durationS),
    members: number("members", 1),
    gpus,
    gpuMilli: number("gpuMilli", gpus > 0 ? 1000 : 0),
    gpuModels,
    cpuMilli: number("cpuMilli", gpus > 0 ? gpus * 8000 : 1000),
    memoryMib: number("memoryMib", gpus > 0 ? gpus * 32_768 : 4096),
    topology,
    priorityClass,
    deferrable: deferrable === true,
    deadlineS: optionalNumber("deadlineS"),
    dataClass: dataClass as DataClass,
    ...(flexibility === undefined ? {} : { flexibility: flexibility as FlexClass }),
    outcome: outcome === "failed" ? "failed" : "succeeded",
    cancelAtS: optionalNumber("cancelAtS"),
  });
  if (problems.length > 0) return undefined;
  problems.push(...specProblems(spec));
  return problems.length > 0 ? undefined : spec;
}

/** Reads alixan's JSON job format. */
export function readJsonJobs(text: string, fileName = "job file"): TraceReadResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      jobs: [],
      diagnostics: [{ line: 0, message: `${fileName}: not JSON (${(error as Error).message})` }],
      rejected: true,
    };
  }
  let list: unknown;
  if (Array.isArray(value)) list = value;
  else if (typeof value === "object" && value !== null) {
    const document = value as Raw;
    if (document["version"] !== undefined && document["version"] !== 1) {
      return { jobs: [], diagnostics: [{ line: 0, message: `${fileName}: version must be 1` }], rejected: true };
    }
    list = document["jobs"];
  }
  if (!Array.isArray(list)) {
    return {
      jobs: [],
      diagnostics: [{ line: 0, message: `${fileName}: expected { "version": 1, "jobs": [...] } or a list of jobs` }],
      rejected: true,
    };
  }
  const jobs: JobSpec[] = [];
  const failures: { index: number; problems: string[] }[] = [];
  list.forEach((raw, index) => {
    const problems: string[] = [];
    const spec = readJob(raw, index, problems);
    if (spec === undefined) failures.push({ index, problems });
    else jobs.push(spec);
  });
  let diagnostics: TraceDiagnostic[] = [];
  if (failures.length > 0) {
    // Line numbers only matter when something is wrong: parse again with positions then.
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter });
    const inList = Array.isArray(value) ? [] : ["jobs"];
    diagnostics = failures.map(({ index, problems }) => {
      const node = document.getIn([...inList, index], true) as { range?: [number, number, number] } | undefined;
      const line = node?.range === undefined ? 0 : lineCounter.linePos(node.range[0]).line;
      const path = `${inList.length > 0 ? "jobs" : ""}[${index}]`;
      return {
        line,
        message: `${fileName}:${line}: ${problems.map((problem) => `${path}.${problem}`).join("; ")}; job skipped`,
      };
    });
  }
  return { jobs, diagnostics, rejected: false };
}

/** Writes jobs in alixan's JSON format (fields at their defaults are left out). */
export function writeJsonJobs(jobs: readonly JobSpec[]): string {
  const lines = jobs.map((spec) => {
    const out: Raw = { id: spec.id, queue: spec.queue, submitS: spec.submitS, durationS: spec.durationS };
    if (spec.expectedDurationS !== spec.durationS) out["expectedDurationS"] = spec.expectedDurationS;
    if (spec.members !== 1) out["members"] = spec.members;
    if (spec.gpus > 0) {
      out["gpus"] = spec.gpus;
      if (spec.gpuMilli !== 1000) out["gpuMilli"] = spec.gpuMilli;
    }
    if (spec.gpuModels.length > 0) out["gpuModels"] = spec.gpuModels;
    out["cpuMilli"] = spec.cpuMilli;
    out["memoryMib"] = spec.memoryMib;
    if (spec.topology !== undefined) out["topology"] = spec.topology;
    if (spec.priorityClass !== undefined) out["priorityClass"] = spec.priorityClass;
    if (spec.deferrable) out["deferrable"] = true;
    if (spec.deadlineS !== undefined) out["deadlineS"] = spec.deadlineS;
    if (spec.dataClass !== "public") out["dataClass"] = spec.dataClass;
    if (spec.flexibility !== undefined) out["flexibility"] = spec.flexibility;
    if (spec.outcome !== "succeeded") out["outcome"] = spec.outcome;
    if (spec.cancelAtS !== undefined) out["cancelAtS"] = spec.cancelAtS;
    return `    ${JSON.stringify(out)}`;
  });
  return `{\n  "version": 1,\n  "jobs": [\n${lines.join(",\n")}\n  ]\n}\n`;
}
