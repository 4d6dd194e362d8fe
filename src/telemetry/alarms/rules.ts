/**
 * Alarm rules and their evaluation on incoming samples.
 *
 * - threshold: limits above and/or below, each level with its own clearing value (hysteresis) and an optional
 *   dwell time before raising;
 * - rate: rise or fall faster than a limit per minute over a window;
 * - stale: no sample for longer than a limit (evaluated on a timer);
 * - state: discrete values to severities (Redfish `DetectorState` and `Status.Health` as 0 OK, 1 Warning,
 *   2 Critical);
 * - capacity: load above capacity less a margin, capacity given or taken from the site model (a CDU's cooling
 *   capacity, a rack's design power).
 *
 * Rules are matched to series once per series; a series no rule names costs one array read per sample.
 */
import type { HotStore } from "../hot-store.ts";
import type { SeriesInfo, SeriesRegistry } from "../series.ts";
import type { CapacityKind, SiteIndex } from "../site-index.ts";
import { failure, type Labels, type Result, type Severity, severities, success } from "../types.ts";
import type { AlarmBook, AlarmKind } from "./book.ts";

/** One level of a threshold rule. */
export interface ThresholdLevel {
  readonly severity: Severity;
  readonly value: number;
  /** The value the reading must come back past to clear (equal to `value` when there is no hysteresis). */
  readonly clear: number;
}

interface RuleBase {
  readonly id: string;
  readonly title: string;
  /** Series names the rule watches. */
  readonly names: readonly string[];
  /** Labels a series must carry (exact values) to be watched. */
  readonly labels?: Labels;
}

/** Limits with hysteresis. */
export interface ThresholdRule extends RuleBase {
  readonly kind: "threshold";
  /** Sorted by value, ascending. */
  readonly above: readonly ThresholdLevel[];
  /** Sorted by value, descending. */
  readonly below: readonly ThresholdLevel[];
  /** The condition must hold this long (sample time) before it raises. */
  readonly forMs: number;
}

/** Rate of change. */
export interface RateRule extends RuleBase {
  readonly kind: "rate";
  readonly severity: Severity;
  readonly windowMs: number;
  readonly risePerMinute?: number;
  readonly fallPerMinute?: number;
  /** The rate must fall below this share of the limit to clear. */
  readonly clearFraction: number;
}

/** No data. */
export interface StaleRule extends RuleBase {
  readonly kind: "stale";
  readonly severity: Severity;
  readonly afterMs: number;
}

/** Discrete states. */
export interface StateRule extends RuleBase {
  readonly kind: "state";
  /** Value (rounded) → severity; values not listed are normal. */
  readonly states: ReadonlyMap<number, Severity>;
}

/** Headroom under capacity. */
export interface CapacityRule extends RuleBase {
  readonly kind: "capacity";
  readonly severity: Severity;
  /** kW, or the kind of capacity to read from the site model for the series' equipment. */
  readonly capacity: number | CapacityKind;
  /** Raise when the load exceeds capacity × (1 − margin). */
  readonly marginFraction: number;
  readonly clearMarginFraction: number;
  /** Multiplies readings into kW (0.001 for a series in W). */
  readonly scale: number;
}

/** Any rule. */
export type AlarmRule = ThresholdRule | RateRule | StaleRule | StateRule | CapacityRule;

/**
 * Built-in rules every deployment wants: leak detectors, equipment health (both as the Redfish poller reports them),
 * site figures gone stale and dead exporters (`up` = 0). The facility watch (facility.ts) adds the twin's.
 */
export const builtInRules: readonly AlarmRule[] = [
  {
    id: "leak-detector",
    kind: "state",
    title: "Leak detected",
    names: ["leak_detector_state"],
    states: new Map<number, Severity>([
      [1, "warning"],
      [2, "critical"],
    ]),
  },
  {
    id: "equipment-health",
    kind: "state",
    title: "Equipment health",
    names: ["redfish_health"],
    states: new Map<number, Severity>([
      [1, "warning"],
      [2, "critical"],
    ]),
  },
  {
    // The live facility figures (the twin's, or equipment's through the same series) arrive every 10 s.
    id: "facility-telemetry-stale",
    kind: "stale",
    title: "Facility telemetry stale",
    names: ["site_it_power_kw"],
    severity: "warning",
    afterMs: 60_000,
  },
  {
    id: "target-down",
    kind: "state",
    title: "Telemetry source unreachable",
    names: ["up"],
    states: new Map<number, Severity>([[0, "warning"]]),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Decoding rules from configuration (YAML or JSON already parsed), naming the path of every problem.

type Problems = string[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(record: Record<string, unknown>, key: string, path: string, problems: Problems): string | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value === "string" && value.length > 0) return value;
  problems.push(`${path}.${key}: must be a non-empty string`);
  return undefined;
}

function number(record: Record<string, unknown>, key: string, path: string, problems: Problems): number | undefined {
  const value = record[key];
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  problems.push(`${path}.${key}: must be a number`);
  return undefined;
}

function positive(record: Record<string, unknown>, key: string, path: string, problems: Problems): number | undefined {
  const value = number(record, key, path, problems);
  if (value !== undefined && value <= 0) {
    problems.push(`${path}.${key}: must be above 0`);
    return undefined;
  }
  return value;
}

function severityOf(value: unknown, path: string, problems: Problems): Severity | undefined {
  if (typeof value === "string" && (severities as readonly string[]).includes(value)) return value as Severity;
  problems.push(`${path}: must be one of ${severities.join(", ")}`);
  return undefined;
}

const ruleKinds = ["threshold", "rate", "stale", "state", "capacity"] as const;

const allowedKeys: Record<(typeof ruleKinds)[number], readonly string[]> = {
  threshold: ["above", "below", "forSeconds"],
  rate: ["severity", "windowSeconds", "risePerMinute", "fallPerMinute", "clearFraction"],
  stale: ["severity", "afterSeconds"],
  state: ["states"],
  capacity: ["severity", "capacity", "marginPercent", "clearMarginPercent", "scale"],
};

function decodeLevels(
  value: unknown,
  path: string,
  direction: "above" | "below",
  problems: Problems,
): ThresholdLevel[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${path}: must be a list of { severity, value, clear }`);
    return [];
  }
  const levels: ThresholdLevel[] = [];
  value.forEach((item: unknown, index) => {
    const itemPath = `${path}[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${itemPath}: must be { severity, value, clear }`);
      return;
    }
    const severity = severityOf(item["severity"], `${itemPath}.severity`, problems);
    const limit = number(item, "value", itemPath, problems);
    const clear = number(item, "clear", itemPath, problems) ?? limit;
    if (limit === undefined) problems.push(`${itemPath}.value: is required`);
    if (severity === undefined || limit === undefined || clear === undefined) return;
    if (direction === "above" ? clear > limit : clear < limit) {
      problems.push(
        `${itemPath}.clear: ${clear} must be ${direction === "above" ? "at or below" : "at or above"} value ${limit}`,
      );
      return;
    }
    levels.push({ severity, value: limit, clear });
  });
  return levels.sort((a, b) => (direction === "above" ? a.value - b.value : b.value - a.value));
}

/** Decodes a list of rules from configuration; fails with every problem, each naming its path. */
export function decodeRules(value: unknown, path = "rules"): Result<AlarmRule[]> {
  const problems: Problems = [];
  if (!Array.isArray(value)) return failure(`${path}: must be a list of rules`);
  const rules: AlarmRule[] = [];
  const ids = new Set<string>();
  value.forEach((item: unknown, index) => {
    const rulePath = `${path}[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${rulePath}: must be an object`);
      return;
    }
    const before = problems.length;
    const id = text(item, "id", rulePath, problems);
    if (id === undefined) problems.push(`${rulePath}.id: is required`);
    else if (ids.has(id)) problems.push(`${rulePath}.id: ${id} is used twice`);
    else ids.add(id);
    const kind = item["kind"];
    if (!(ruleKinds as readonly unknown[]).includes(kind)) {
      problems.push(`${rulePath}.kind: must be one of ${ruleKinds.join(", ")}`);
      return;
    }
    const ruleKind = kind as (typeof ruleKinds)[number];
    const common = ["id", "kind", "title", "series", "labels"];
    for (const key of Object.keys(item)) {
      if (!common.includes(key) && !allowedKeys[ruleKind].includes(key)) {
        problems.push(
          `${rulePath}.${key}: unknown for a ${ruleKind} rule (allowed: ${[...common, ...allowedKeys[ruleKind]].join(", ")})`,
        );
      }
    }
    const series = item["series"];
    const names = typeof series === "string" ? [series] : Array.isArray(series) ? series : undefined;
    if (names === undefined || names.length === 0 || names.some((name) => typeof name !== "string")) {
      problems.push(`${rulePath}.series: must be a series name or a list of them`);
    }
    const labels = item["labels"];
    if (labels !== undefined && !(isRecord(labels) && Object.values(labels).every((v) => typeof v === "string"))) {
      problems.push(`${rulePath}.labels: must be an object of strings`);
    }
    const base = {
      id: id ?? "",
      title: text(item, "title", rulePath, problems) ?? id ?? "",
      names: (names ?? []) as string[],
      ...(labels === undefined ? {} : { labels: labels as Labels }),
    };
    const severity = (): Severity =>
      item["severity"] === undefined
        ? "warning"
        : (severityOf(item["severity"], `${rulePath}.severity`, problems) ?? "warning");
    let rule: AlarmRule | undefined;
    switch (ruleKind) {
      case "threshold": {
        const above = decodeLevels(item["above"], `${rulePath}.above`, "above", problems);
        const below = decodeLevels(item["below"], `${rulePath}.below`, "below", problems);
        if (item["above"] === undefined && item["below"] === undefined) {
          problems.push(`${rulePath}: a threshold rule needs above and/or below`);
        }
        const forSeconds = number(item, "forSeconds", rulePath, problems) ?? 0;
        rule = { ...base, kind: "threshold", above, below, forMs: forSeconds * 1000 };
        break;
      }
      case "rate": {
        const rise = positive(item, "risePerMinute", rulePath, problems);
        const fall = positive(item, "fallPerMinute", rulePath, problems);
        if (rise === undefined && fall === undefined)
          problems.push(`${rulePath}: a rate rule needs risePerMinute and/or fallPerMinute`);
        const clearFraction = number(item, "clearFraction", rulePath, problems) ?? 0.8;
        if (clearFraction <= 0 || clearFraction > 1) problems.push(`${rulePath}.clearFraction: must be in (0, 1]`);
        rule = {
          ...base,
          kind: "rate",
          severity: severity(),
          windowMs: (positive(item, "windowSeconds", rulePath, problems) ?? 60) * 1000,
          ...(rise === undefined ? {} : { risePerMinute: rise }),
          ...(fall === undefined ? {} : { fallPerMinute: fall }),
          clearFraction,
        };
        break;
      }
      case "stale": {
        const after = positive(item, "afterSeconds", rulePath, problems);
        if (after === undefined) problems.push(`${rulePath}.afterSeconds: is required`);
        rule = { ...base, kind: "stale", severity: severity(), afterMs: (after ?? 0) * 1000 };
        break;
      }
      case "state": {
        const states = new Map<number, Severity>();
        const declared = item["states"];
        if (!isRecord(declared) || Object.keys(declared).length === 0) {
          problems.push(`${rulePath}.states: must map values to severities, e.g. { 1: warning, 2: critical }`);
        } else {
          for (const [key, state] of Object.entries(declared)) {
            const stateValue = Number(key);
            const stateSeverity = severityOf(state, `${rulePath}.states.${key}`, problems);
            if (!Number.isInteger(stateValue)) problems.push(`${rulePath}.states.${key}: keys must be integers`);
            else if (stateSeverity !== undefined) states.set(stateValue, stateSeverity);
          }
        }
        rule = { ...base, kind: "state", states };
        break;
      }
      case "capacity": {
        const declared = item["capacity"];
        let capacity: number | CapacityKind = "power";
        if (declared === "power" || declared === "cooling") capacity = declared;
        else if (typeof declared === "number" && declared > 0) capacity = declared;
        else problems.push(`${rulePath}.capacity: must be power, cooling (from the site model) or a number of kW`);
        const margin = (number(item, "marginPercent", rulePath, problems) ?? 10) / 100;
        const clearMargin = (number(item, "clearMarginPercent", rulePath, problems) ?? margin * 100 + 2) / 100;
        if (margin < 0 || margin >= 1) problems.push(`${rulePath}.marginPercent: must be in [0, 100)`);
        if (clearMargin < margin) problems.push(`${rulePath}.clearMarginPercent: must be at least marginPercent`);
        rule = {
          ...base,
          kind: "capacity",
          severity: severity(),
          capacity,
          marginFraction: margin,
          clearMarginFraction: clearMargin,
          scale: positive(item, "scale", rulePath, problems) ?? 1,
        };
        break;
      }
    }
    if (problems.length === before) rules.push(rule);
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(rules);
}

// ---------------------------------------------------------------------------------------------------------------
// Evaluation.

/** What rules read and write. */
export interface RuleContext {
  readonly registry: SeriesRegistry;
  readonly hot: HotStore;
  readonly book: AlarmBook;
  readonly site?: SiteIndex;
}

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

const equipmentKinds: Record<string, string> = {
  cdu: "CDU",
  rack: "rack",
  leak: "leak detector",
  tcs: "cooling loop",
  row: "row",
  hall: "hall",
  plant: "plant",
  pump: "facility water pump",
  drycooler: "dry cooler",
  chiller: "chiller",
  busway: "busway",
  ups: "UPS",
  transformer: "transformer",
};

/** Where a series is, in words (`CDU h2-r014-01`), or its key when it names no site equipment. */
function placeOf(info: SeriesInfo): string {
  const equipment = info.location.equipment;
  if (equipment === undefined) return info.key;
  const colon = equipment.indexOf(":");
  const kind = equipmentKinds[equipment.slice(0, Math.max(0, colon))];
  return kind === undefined ? equipment : `${kind} ${equipment.slice(colon + 1)}`;
}

function matches(rule: AlarmRule, info: SeriesInfo): boolean {
  if (!rule.names.includes(info.name)) return false;
  if (rule.labels === undefined) return true;
  return Object.entries(rule.labels).every(([name, value]) => info.labels[name] === value);
}

interface SampleRule {
  onSample(info: SeriesInfo, timestamp: number, value: number): void;
}

function report(
  context: RuleContext,
  rule: AlarmRule,
  kind: AlarmKind,
  key: string,
  info: SeriesInfo,
  severity: Severity,
  message: string,
  at: number,
  value?: number,
): void {
  context.book.raise({
    key,
    source: rule.id,
    kind,
    severity,
    title: rule.title,
    message,
    location: info.location,
    series: info.key,
    at,
    ...(info.location.equipment === undefined ? {} : { equipment: info.location.equipment }),
    ...(value === undefined ? {} : { value }),
  });
}

class ThresholdEvaluator implements SampleRule {
  readonly #rule: ThresholdRule;
  readonly #context: RuleContext;
  /** Per series and direction: current level (-1 normal), pending level and since when. */
  readonly #state = new Map<string, { level: number; pending: number; since: number }>();

  constructor(rule: ThresholdRule, context: RuleContext) {
    this.#rule = rule;
    this.#context = context;
  }

  onSample(info: SeriesInfo, timestamp: number, value: number): void {
    if (this.#rule.above.length > 0) this.#direction(info, timestamp, value, "above", this.#rule.above);
    if (this.#rule.below.length > 0) this.#direction(info, timestamp, value, "below", this.#rule.below);
  }

  #direction(
    info: SeriesInfo,
    timestamp: number,
    value: number,
    direction: "above" | "below",
    levels: readonly ThresholdLevel[],
  ): void {
    const key = `${this.#rule.id}|${info.key}|${direction}`;
    let state = this.#state.get(key);
    if (state === undefined) {
      state = { level: -1, pending: -1, since: 0 };
      this.#state.set(key, state);
    }
    const past = (limit: number): boolean => (direction === "above" ? value > limit : value < limit);
    let target = -1;
    for (let i = levels.length - 1; i >= 0; i--) {
      const level = levels[i]!;
      if (past(level.value) || (i <= state.level && past(level.clear))) {
        target = i;
        break;
      }
    }
    if (target > state.level && this.#rule.forMs > 0) {
      if (state.pending !== target) {
        state.pending = target;
        state.since = timestamp;
        return;
      }
      if (timestamp - state.since < this.#rule.forMs) return;
    }
    state.pending = -1;
    if (target === state.level) return;
    state.level = target;
    if (target < 0) {
      this.#context.book.clear(key, timestamp, `${this.#rule.title}: ${info.key} back to ${formatValue(value)}`);
      return;
    }
    const level = levels[target]!;
    const clearing =
      level.clear === level.value
        ? ""
        : ` (clears ${direction === "above" ? "below" : "above"} ${formatValue(level.clear)})`;
    report(
      this.#context,
      this.#rule,
      "threshold",
      key,
      info,
      level.severity,
      `${this.#rule.title}: ${info.key} = ${formatValue(value)}, ${direction} the ${level.severity} limit ${formatValue(level.value)}${clearing}`,
      timestamp,
      value,
    );
  }
}

class RateEvaluator implements SampleRule {
  readonly #rule: RateRule;
  readonly #context: RuleContext;
  readonly #raised = new Set<number>();

  constructor(rule: RateRule, context: RuleContext) {
    this.#rule = rule;
    this.#context = context;
  }

  onSample(info: SeriesInfo, timestamp: number, value: number): void {
    const earlier = this.#context.hot.sampleAtOrBefore(info.id, timestamp - this.#rule.windowMs);
    if (earlier === undefined || earlier.timestamp === timestamp) return;
    const perMinute = ((value - earlier.value) / (timestamp - earlier.timestamp)) * 60_000;
    const rise = this.#rule.risePerMinute ?? Number.POSITIVE_INFINITY;
    const fall = this.#rule.fallPerMinute ?? Number.POSITIVE_INFINITY;
    const key = `${this.#rule.id}|${info.key}`;
    if (perMinute > rise || -perMinute > fall) {
      if (this.#raised.has(info.id)) return;
      this.#raised.add(info.id);
      const limit = perMinute > 0 ? rise : fall;
      report(
        this.#context,
        this.#rule,
        "rate",
        key,
        info,
        this.#rule.severity,
        `${this.#rule.title}: ${info.key} ${perMinute > 0 ? "rising" : "falling"} ${formatValue(Math.abs(perMinute))}/min, limit ${formatValue(limit)}/min`,
        timestamp,
        value,
      );
    } else if (
      this.#raised.has(info.id) &&
      perMinute <= rise * this.#rule.clearFraction &&
      -perMinute <= fall * this.#rule.clearFraction
    ) {
      this.#raised.delete(info.id);
      this.#context.book.clear(key, timestamp);
    }
  }
}

class StateEvaluator implements SampleRule {
  readonly #rule: StateRule;
  readonly #context: RuleContext;
  readonly #last = new Map<number, number>();

  constructor(rule: StateRule, context: RuleContext) {
    this.#rule = rule;
    this.#context = context;
  }

  onSample(info: SeriesInfo, timestamp: number, value: number): void {
    const state = Math.round(value);
    if (this.#last.get(info.id) === state) return;
    this.#last.set(info.id, state);
    const key = `${this.#rule.id}|${info.key}`;
    const severity = this.#rule.states.get(state);
    if (severity === undefined) {
      this.#context.book.clear(key, timestamp);
      return;
    }
    report(
      this.#context,
      this.#rule,
      "state",
      key,
      info,
      severity,
      `${this.#rule.title} at ${placeOf(info)} (${severity}, state ${state}).`,
      timestamp,
      value,
    );
  }
}

class CapacityEvaluator implements SampleRule {
  readonly #rule: CapacityRule;
  readonly #context: RuleContext;
  readonly #raised = new Set<number>();

  constructor(rule: CapacityRule, context: RuleContext) {
    this.#rule = rule;
    this.#context = context;
  }

  onSample(info: SeriesInfo, timestamp: number, value: number): void {
    const rule = this.#rule;
    const equipment = info.location.equipment;
    const capacity =
      typeof rule.capacity === "number"
        ? rule.capacity
        : equipment === undefined
          ? undefined
          : this.#context.site?.capacityKilowatts(equipment, rule.capacity);
    if (capacity === undefined) return;
    const load = value * rule.scale;
    const key = `${rule.id}|${info.key}`;
    const limit = capacity * (1 - rule.marginFraction);
    if (load > limit && !this.#raised.has(info.id)) {
      this.#raised.add(info.id);
      const headroom = ((capacity - load) / capacity) * 100;
      report(
        this.#context,
        rule,
        "capacity",
        key,
        info,
        rule.severity,
        `${rule.title}: ${equipment ?? info.key} at ${formatValue(load)} kW of ${formatValue(capacity)} kW, headroom ${formatValue(headroom)} % under the ${formatValue(rule.marginFraction * 100)} % margin`,
        timestamp,
        value,
      );
    } else if (load < capacity * (1 - rule.clearMarginFraction) && this.#raised.has(info.id)) {
      this.#raised.delete(info.id);
      this.#context.book.clear(key, timestamp);
    }
  }
}

/** Evaluates rules on incoming samples and on a timer. */
export class RuleEngine {
  readonly #context: RuleContext;
  readonly #rules: readonly AlarmRule[];
  readonly #sampleRules: { readonly rule: AlarmRule; readonly evaluator: SampleRule }[] = [];
  readonly #staleRules: StaleRule[];
  /** Per series id: indexes into `#sampleRules` of the rules that watch it, or null for none. */
  readonly #matches: (number[] | null)[] = [];
  readonly #stale = new Map<string, Set<number>>();
  readonly #staleSelection = new Map<string, { version: number; ids: number[] }>();
  readonly #startedAt: number;

  constructor(rules: readonly AlarmRule[], context: RuleContext, startedAt: number) {
    this.#context = context;
    this.#rules = rules;
    this.#startedAt = startedAt;
    for (const rule of rules) {
      const evaluator =
        rule.kind === "threshold"
          ? new ThresholdEvaluator(rule, context)
          : rule.kind === "rate"
            ? new RateEvaluator(rule, context)
            : rule.kind === "state"
              ? new StateEvaluator(rule, context)
              : rule.kind === "capacity"
                ? new CapacityEvaluator(rule, context)
                : undefined;
      if (evaluator !== undefined) this.#sampleRules.push({ rule, evaluator });
    }
    this.#staleRules = rules.filter((rule): rule is StaleRule => rule.kind === "stale");
  }

  /** The rules in force. */
  get rules(): readonly AlarmRule[] {
    return this.#rules;
  }

  #matchesOf(series: number): number[] | null {
    let found = this.#matches[series];
    if (found === undefined) {
      const info = this.#context.registry.info(series);
      const indexes: number[] = [];
      if (info !== undefined) {
        this.#sampleRules.forEach((entry, index) => {
          if (matches(entry.rule, info)) indexes.push(index);
        });
      }
      found = indexes.length === 0 ? null : indexes;
      this.#matches[series] = found;
    }
    return found;
  }

  /** Evaluates the sample rules on a batch (already in the hot store). */
  evaluate(series: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): void {
    if (this.#sampleRules.length === 0) return;
    for (let i = 0; i < count; i++) {
      const id = series[i]!;
      const found = this.#matches[id] === undefined ? this.#matchesOf(id) : this.#matches[id]!;
      if (found === null) continue;
      const info = this.#context.registry.info(id)!;
      for (const index of found) this.#sampleRules[index]!.evaluator.onSample(info, timestamps[i]!, values[i]!);
    }
  }

  /** Evaluates staleness at `now`. */
  tick(now: number): void {
    for (const rule of this.#staleRules) {
      let selection = this.#staleSelection.get(rule.id);
      if (selection === undefined || selection.version !== this.#context.registry.version) {
        const ids = this.#context.registry.select({
          names: rule.names,
          ...(rule.labels === undefined ? {} : { labels: rule.labels }),
        });
        selection = { version: this.#context.registry.version, ids };
        this.#staleSelection.set(rule.id, selection);
      }
      let raised = this.#stale.get(rule.id);
      if (raised === undefined) {
        raised = new Set();
        this.#stale.set(rule.id, raised);
      }
      for (const id of selection.ids) {
        const latest = this.#context.hot.latestTimestamp(id);
        const since = latest === Number.NEGATIVE_INFINITY ? this.#startedAt : latest;
        const info = this.#context.registry.info(id)!;
        const key = `${rule.id}|${info.key}`;
        if (now - since > rule.afterMs) {
          if (raised.has(id)) continue;
          raised.add(id);
          report(
            this.#context,
            rule,
            "stale",
            key,
            info,
            rule.severity,
            `${rule.title}: no data from ${info.key} for ${Math.round((now - since) / 1000)} s (limit ${rule.afterMs / 1000} s)`,
            now,
          );
        } else if (raised.delete(id)) this.#context.book.clear(key, now);
      }
    }
  }
}
