/**
 * Trace formats by name and a reader that picks one from the file name when none is given.
 */
import { readBoundedText } from "../../core/yaml.ts";
import { readJsonJobs } from "./json.ts";
import { readOpenbPods, type TraceReadResult } from "./openb.ts";
import { readSwf } from "./swf.ts";

/** Trace formats alixan reads. */
export const traceFormats = ["openb", "swf", "json"] as const;
/** One trace format. */
export type TraceFormat = (typeof traceFormats)[number];

/** The format a file name suggests: `.swf` → swf, `.json` → json, `.csv` → openb. */
export function guessTraceFormat(path: string): TraceFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".swf") || lower.endsWith(".swf.txt")) return "swf";
  if (lower.endsWith(".json")) return "json";
  if (lower.endsWith(".csv")) return "openb";
  return undefined;
}

/**
 * Reads a trace file; an unreadable or too large file, or an unknown format, is a rejected result naming the file,
 * never an exception.
 */
export function readTraceFile(path: string, format?: TraceFormat): TraceReadResult {
  const chosen = format ?? guessTraceFormat(path);
  if (chosen === undefined) {
    return {
      jobs: [],
      diagnostics: [
        {
          line: 0,
          message: `${path}: cannot tell the trace format from the name; give --format ${traceFormats.join("|")}`,
        },
      ],
      rejected: true,
    };
  }
  let text: string;
  try {
    // Bounded from its size on disk (`fileByteLimits.trace`): a file past it is refused before a byte is read.
    text = readBoundedText(path, "trace");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    return { jobs: [], diagnostics: [{ line: 0, message: `cannot read ${path}: ${reason}` }], rejected: true };
  }
  if (chosen === "openb") return readOpenbPods(text, path);
  if (chosen === "swf") return readSwf(text, path);
  return readJsonJobs(text, path);
}
