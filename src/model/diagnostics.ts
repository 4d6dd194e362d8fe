/**
 * Diagnostics: what validation says about a site file. Errors are values, never exceptions: a caller gets every
 * problem at once, each naming the path in the file and the numbers involved.
 */

/** How bad a finding is: errors make the site unusable, warnings deserve a look. */
export type Severity = "error" | "warning";

/** One finding about a site file. */
export interface Diagnostic {
  readonly severity: Severity;
  /** Stable machine-readable code, such as `capacity.cdu` or `ref.unknown`. */
  readonly code: string;
  /** Where in the (expanded) site, such as `halls[2].rows[7].cdus`. Empty for the whole file. */
  readonly path: string;
  /** What is wrong, with the numbers. */
  readonly message: string;
  /** 1-based source position when the finding maps to a place in the file. */
  readonly line?: number;
  readonly column?: number;
}

/** A path segment: an object key or an array index. */
export type PathSegment = string | number;

const plainKey = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/**
 * Formats path segments the way people read them: `halls[2].rows[7].cdus`; a key that is not a plain name (such as
 * the resource `gpu.H200`) is quoted, `quota["gpu.H200"]`, so the path reads back unambiguously.
 */
export function formatPath(segments: readonly PathSegment[]): string {
  let text = "";
  for (const segment of segments) {
    if (typeof segment === "number") text += `[${segment}]`;
    else if (!plainKey.test(segment)) text += `[${JSON.stringify(segment)}]`;
    else text += text === "" ? segment : `.${segment}`;
  }
  return text;
}

/** Splits a path `formatPath` wrote back into its segments. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const match of path.matchAll(/\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|([^.[\]]+)/g)) {
    if (match[1] !== undefined) segments.push(Number(match[1]));
    else if (match[2] !== undefined) segments.push(JSON.parse(match[2]) as string);
    else segments.push(match[3]!);
  }
  return segments;
}

/** Collects diagnostics while a site is decoded, expanded and checked. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];

  /** Records an error at `path`. */
  error(code: string, path: string, message: string): void {
    this.items.push({ severity: "error", code, path, message });
  }

  /** Records a warning at `path`. */
  warning(code: string, path: string, message: string): void {
    this.items.push({ severity: "warning", code, path, message });
  }

  /** Number of errors recorded so far. */
  get errorCount(): number {
    let count = 0;
    for (const item of this.items) if (item.severity === "error") count++;
    return count;
  }
}

/** One line per diagnostic: `file:line:col: error [code] path: message`. */
export function formatDiagnostic(diagnostic: Diagnostic, fileName?: string): string {
  const where = [fileName, diagnostic.line, diagnostic.line === undefined ? undefined : diagnostic.column]
    .filter((part) => part !== undefined)
    .join(":");
  const place = diagnostic.path === "" ? "" : `${diagnostic.path}: `;
  return `${where === "" ? "" : `${where}: `}${diagnostic.severity} [${diagnostic.code}] ${place}${diagnostic.message}`;
}

/** Edit distance, used to suggest the field or id a typo meant. */
export function editDistance(a: string, b: string): number {
  const previous = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) previous[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/** ` (did you mean "x"?)` when one candidate is close to `value`, else an empty string. */
export function didYouMean(value: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(value.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? "" : ` (did you mean "${best}"?)`;
}
