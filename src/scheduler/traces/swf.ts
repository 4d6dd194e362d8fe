/**
 * Reader of the Standard Workload Format (Feitelson's Parallel Workloads Archive): `;` comment lines, then one job a
 * line with 18 whitespace-separated numbers, -1 where unknown: 1 job, 2 submit, 3 wait, 4 run time, 5 allocated
 * processors, 6 average CPU time, 7 used memory, 8 requested processors, 9 requested time, 10 requested memory (KB
 * per processor), 11 status, 12 user, 13 group, 14 executable, 15 queue, 16 partition, 17 preceding job, 18 think time.
 *
 * Rules: a line with fewer than 18 fields, a non-number, a negative run time or no processor count is reported with
 * its line number and skipped. Processors are GPUs by default (members of up to `gpusPerMember` whole GPUs; a job
 * of 12 becomes 2 × 6) or cores (`unit: "core"`, members of up to `coresPerMember`). The announced time (field 9)
 * is the expected duration. Status 0 (failed) and 5 (cancelled after starting) end in `failed`. Jobs go to queue
 * `group-G` (or `user-U` when the group is unknown).
 */
import type { TraceDiagnostic } from "../csv.ts";
import { type JobSpec, jobSpec } from "../jobs.ts";
import type { TraceReadResult } from "./openb.ts";

/** How SWF processors become resources. */
export interface SwfOptions {
  readonly unit?: "gpu" | "core";
  readonly gpusPerMember?: number;
  readonly coresPerMember?: number;
  /** CPU milli and memory per GPU of a member, for GPU units. Defaults 8 cores and 32 GiB. */
  readonly cpuMilliPerGpu?: number;
  readonly memoryMibPerGpu?: number;
}

/** Reads an SWF trace. */
export function readSwf(text: string, fileName = "SWF trace", options: SwfOptions = {}): TraceReadResult {
  const unit = options.unit ?? "gpu";
  const perMember = unit === "gpu" ? (options.gpusPerMember ?? 8) : (options.coresPerMember ?? 64);
  const jobs: JobSpec[] = [];
  const diagnostics: TraceDiagnostic[] = [];
  // CRLF, LF or CR-only (old Mac tools) line breaks.
  const lines = text.split(/\r\n|\r|\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = raw.trim();
    if (content === "" || content.startsWith(";")) continue;
    const fields = content.split(/\s+/);
    const report = (message: string) =>
      diagnostics.push({ line, message: `${fileName}:${line}: ${message}; line skipped` });
    if (fields.length < 18) {
      report(`${fields.length} fields where SWF has 18`);
      continue;
    }
    const values = fields.slice(0, 18).map(Number);
    const bad = values.findIndex((value) => !Number.isFinite(value));
    if (bad >= 0) {
      report(`field ${bad + 1} is not a number ("${fields[bad]}")`);
      continue;
    }
    // SWF numbers its fields from 1.
    const field = (number: number) => values[number - 1]!;
    const submit = field(2);
    const runTime = field(4);
    const requestedTime = field(9);
    const requestedMemory = field(10);
    const status = field(11);
    const group = field(13);
    const requested = field(8);
    const allocated = field(5);
    const processors = requested > 0 ? requested : allocated;
    if (submit < 0) {
      report(`submit time ${submit} is negative`);
      continue;
    }
    if (runTime < 0) {
      report(`run time ${runTime} is unknown or negative`);
      continue;
    }
    if (!(processors > 0) || !Number.isInteger(processors)) {
      report(`processor count ${processors} is not a positive integer`);
      continue;
    }
    const members = Math.ceil(processors / perMember);
    const each = Math.ceil(processors / members);
    const queue = group >= 0 ? `group-${group}` : `user-${field(12)}`;
    const common = {
      id: `swf-${field(1)}`,
      queue,
      submitS: submit,
      durationS: runTime,
      expectedDurationS: requestedTime > 0 ? Math.max(requestedTime, runTime) : runTime,
      members,
      outcome: status === 0 || status === 5 ? ("failed" as const) : ("succeeded" as const),
    };
    if (unit === "gpu") {
      jobs.push(
        jobSpec({
          ...common,
          gpus: each,
          gpuMilli: 1000,
          cpuMilli: each * (options.cpuMilliPerGpu ?? 8000),
          memoryMib: each * (options.memoryMibPerGpu ?? 32_768),
        }),
      );
    } else {
      const memoryMib = requestedMemory > 0 ? Math.ceil((requestedMemory * each) / 1024) : each * 4096;
      jobs.push(jobSpec({ ...common, cpuMilli: each * 1000, memoryMib }));
    }
  }
  return { jobs, diagnostics, rejected: false };
}
