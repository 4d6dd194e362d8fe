/**
 * Reader of openb pod lists (Alibaba GPU cluster trace v2023, as used by the ATC'23 fragmentation paper):
 * `name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time]`.
 *
 * Rules:
 * - A file whose header lacks a required column is rejected. A row with a malformed field is reported with its line
 *   number and skipped; the rest of the file is used.
 * - Arrival is `creation_time`; the run lasts `deletion_time − scheduled_time`. A pod never scheduled in the trace
 *   (`Pending`) lasts `deletion_time − creation_time` and is withdrawn at `deletion_time` if it has not started.
 * - Without timing columns (the `multigpu50` variant) every pod arrives at 0 in file order and never ends.
 * - `gpu_milli` is the share of one GPU for single-GPU pods; multi-GPU pods take whole GPUs.
 * - `gpu_spec` lists accepted GPU models separated by `|` (`nan` or empty: any).
 * - `qos` maps to priority classes: LS and Guaranteed → high, Burstable → normal, BE → best-effort.
 * - `pod_phase` Failed runs end in `failed`; all pods go to queue `default`.
 */
import { parseCsv, type TraceDiagnostic } from "../csv.ts";
import { type JobSpec, jobSpec } from "../jobs.ts";

/** Jobs read from a trace, the problems found, and whether the file as a whole was unusable. */
export interface TraceReadResult {
  readonly jobs: readonly JobSpec[];
  readonly diagnostics: readonly TraceDiagnostic[];
  readonly rejected: boolean;
}

const required = ["name", "cpu_milli", "memory_mib", "num_gpu", "gpu_milli"] as const;

const qosClasses: Readonly<Record<string, string>> = {
  LS: "high",
  Guaranteed: "high",
  Burstable: "normal",
  BE: "best-effort",
};

/** Reads an openb pod list. */
export function readOpenbPods(text: string, fileName = "openb pod list"): TraceReadResult {
  const table = parseCsv(text, required, fileName);
  if (table.rows === undefined) return { jobs: [], diagnostics: table.diagnostics, rejected: true };
  const diagnostics = [...table.diagnostics];
  const timed = table.header.includes("creation_time") && table.header.includes("deletion_time");
  const jobs: JobSpec[] = [];
  const maxInt = 2 ** 31 - 1;
  const firstLineOf = new Map<string, number>();
  for (const row of table.rows) {
    const problems: string[] = [];
    const name = row.field("name");
    if (name === "") problems.push("name is empty");
    // Two pods of one name are a file concatenated twice or cut wrongly, and jobs are reported by name.
    const firstLine = firstLineOf.get(name);
    if (firstLine !== undefined && name !== "") problems.push(`name ${name} is already used at line ${firstLine}`);
    else firstLineOf.set(name, row.line);
    const cpuMilli = row.integer("cpu_milli", problems, 0, maxInt);
    const memoryMib = row.integer("memory_mib", problems, 0, maxInt);
    const gpus = row.integer("num_gpu", problems, 0, 255);
    const gpuMilli = row.integer("gpu_milli", problems, 0, 1000);
    if (problems.length === 0) {
      if (gpus === 0 && gpuMilli !== 0) problems.push(`gpu_milli: must be 0 for a pod without GPUs, got ${gpuMilli}`);
      if (gpus === 1 && gpuMilli === 0) problems.push("gpu_milli: 0 for a pod asking one GPU");
      if (gpus > 1 && gpuMilli !== 1000)
        problems.push(`gpu_milli: multi-GPU pods take whole GPUs (1000), got ${gpuMilli}`);
      if (gpus === 0 && cpuMilli === 0 && memoryMib === 0) problems.push("asks for no resource at all");
    }
    let submitS = 0;
    let durationS = Number.POSITIVE_INFINITY;
    let cancelAtS: number | undefined;
    if (timed) {
      const creation = row.integer("creation_time", problems, 0, Number.MAX_SAFE_INTEGER);
      const deletion = row.integer("deletion_time", problems, 0, Number.MAX_SAFE_INTEGER);
      const scheduled = row.integer("scheduled_time", problems, 0, Number.MAX_SAFE_INTEGER, -1);
      if (problems.length === 0) {
        if (deletion < creation) problems.push(`deletion_time ${deletion} is before creation_time ${creation}`);
        else if (scheduled >= 0 && (scheduled < creation || scheduled > deletion)) {
          problems.push(`scheduled_time ${scheduled} is outside creation_time ${creation} – deletion_time ${deletion}`);
        }
      }
      submitS = creation;
      durationS = deletion - (scheduled >= 0 ? scheduled : creation);
      if (scheduled < 0) cancelAtS = deletion;
    }
    if (problems.length > 0) {
      diagnostics.push({ line: row.line, message: `${fileName}:${row.line}: ${problems.join("; ")}; row skipped` });
      continue;
    }
    const spec = row.field("gpu_spec");
    const gpuModels = spec === "" || spec.toLowerCase() === "nan" ? [] : spec.split("|").map((model) => model.trim());
    jobs.push(
      jobSpec({
        id: name,
        queue: "default",
        submitS,
        durationS,
        gpus,
        gpuMilli: gpus === 0 ? 0 : gpuMilli,
        gpuModels,
        cpuMilli,
        memoryMib,
        priorityClass: qosClasses[row.field("qos")],
        outcome: row.field("pod_phase") === "Failed" ? "failed" : "succeeded",
        cancelAtS,
      }),
    );
  }
  diagnostics.sort((a, b) => a.line - b.line);
  return { jobs, diagnostics, rejected: false };
}
