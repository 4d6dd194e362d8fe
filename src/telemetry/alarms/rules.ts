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
import { type Static, Type } from "typebox";
import { closedObject } from "../../model/schema-check.ts";
import type { HotStore } from "../hot-store.ts";
import { decodeEntries, nonEmptyText, seriesName, stringMap } from "../schema-parts.ts";
import type { SeriesInfo, SeriesRegistry } from "../series.ts";
import type { CapacityKind, SiteIndex } from "../site-index.ts";
import { type Labels, type Result, type Severity, severities } from "../types.ts";
import type { AlarmBook, AlarmKind } from "./book.ts";

/** One level of a threshold rule: the file's entry, with `clear` resolved (equal to `value` without hysteresis). */
export type ThresholdLevel = Readonly<Required<Static<typeof ThresholdLevelSchema>>>;

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
 * site figures gone stale, dead exporters (`up` = 0) and devices whose every reading fails to decode (`decode_ok` = 0).
 * The facility watch (facility.ts) adds the twin's.
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
  {
    // A device that answers but none of whose readings decode (adapters/device-poller.ts decodeHealth): `up` is 1.
    id: "target-undecodable",
    kind: "state",
    title: "Telemetry source gives no readable value",
    names: ["decode_ok"],
    states: new Map<number, Severity>([[0, "warning"]]),
  },
];

// ---------------------------------------------------------------------------------------------------------------
// The `rules` section of the telemetry configuration: one schema per kind of rule, the source of their TS type, of
// schemas/telemetry.schema.json and of the run-time check; `decodeRules` adds what a schema cannot express.

/** Values a rule takes when the file leaves them out (written into the schema for editors, applied on decoding). */
const ruleDefaults = {
  severity: "warning",
  forSeconds: 0,
  windowSeconds: 60,
  clearFraction: 0.8,
  marginPercent: 10,
  scale: 1,
} as const satisfies Record<string, unknown>;

/** A rule's id: unique among the rules, the source of its alarms. */
const RuleIdSchema = nonEmptyText("unique among the rules; the source of its alarms");

/** Fields every kind of rule has, `kind` telling the kinds apart. */
const ruleFields = <Kind extends AlarmRule["kind"]>(kind: Kind) => ({
  id: RuleIdSchema,
  kind: Type.Literal(kind),
  title: Type.Optional(nonEmptyText("shown on its alarms (default: the id)")),
  series: Type.Union([seriesName(), Type.Array(seriesName(), { minItems: 1 })], {
    description: "the series name (or names) the rule watches",
  }),
  labels: Type.Optional(stringMap("labels a series must carry (exact values) to be watched")),
});

/**
 * Fields with a default are optional in the schema: TypeBox fills a union branch's defaults only into a rule that is
 * right as a whole, so a required field would be reported missing from a rule wrong elsewhere. `resolveRule` applies
 * `ruleDefaults`, the same values the schema shows editors.
 */
const severityField = () =>
  Type.Optional(Type.Enum(severities, { default: ruleDefaults.severity, description: "severity of its alarms" }));

/** One level of a threshold rule as the file writes it. */
export const ThresholdLevelSchema = closedObject({
  severity: Type.Enum(severities),
  value: Type.Number({ description: "the limit: past it the level is raised" }),
  clear: Type.Optional(
    Type.Number({ description: "the value the reading must come back past to clear (default: value, no hysteresis)" }),
  ),
});

/** A threshold rule: limits above and/or below, each with its own clearing value. */
export const ThresholdRuleSchema = closedObject({
  ...ruleFields("threshold"),
  above: Type.Optional(Type.Array(ThresholdLevelSchema, { description: "upper limits: clear ≤ value" })),
  below: Type.Optional(Type.Array(ThresholdLevelSchema, { description: "lower limits: clear ≥ value" })),
  forSeconds: Type.Optional(
    Type.Number({ minimum: 0, default: ruleDefaults.forSeconds, description: "the condition must hold this long" }),
  ),
});

/** A rate rule: rise or fall faster than a limit per minute over a window. */
export const RateRuleSchema = closedObject({
  ...ruleFields("rate"),
  severity: severityField(),
  windowSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: ruleDefaults.windowSeconds })),
  risePerMinute: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  fallPerMinute: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  clearFraction: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      maximum: 1,
      default: ruleDefaults.clearFraction,
      description: "the rate must fall below this share of the limit to clear",
    }),
  ),
});

/** A stale rule: no sample for longer than a limit. */
export const StaleRuleSchema = closedObject({
  ...ruleFields("stale"),
  severity: severityField(),
  afterSeconds: Type.Number({ exclusiveMinimum: 0 }),
});

/** A state rule: discrete values to severities. */
export const StateRuleSchema = closedObject({
  ...ruleFields("state"),
  states: Type.Record(Type.String(), Type.Enum(severities), {
    propertyNames: { pattern: "^-?\\d+$", patternErrorMessage: "expected a whole number (a state's value)" },
    minProperties: 1,
    description: "value (rounded) → severity, such as { 1: warning, 2: critical }; values not listed are normal",
  }),
});

const capacityKinds = ["power", "cooling"] as const satisfies readonly CapacityKind[];

/** A capacity rule: load above capacity less a margin. */
export const CapacityRuleSchema = closedObject({
  ...ruleFields("capacity"),
  severity: severityField(),
  capacity: Type.Union([Type.Enum(capacityKinds), Type.Number({ exclusiveMinimum: 0 })], {
    description: "kW, or power or cooling: the capacity the site model gives the series' equipment",
  }),
  marginPercent: Type.Optional(
    Type.Number({
      minimum: 0,
      exclusiveMaximum: 100,
      default: ruleDefaults.marginPercent,
      description: "raise when the load exceeds capacity less this share",
    }),
  ),
  clearMarginPercent: Type.Optional(
    Type.Number({ minimum: 0, description: "clear below capacity less this share (default: marginPercent + 2)" }),
  ),
  scale: Type.Optional(
    Type.Number({
      exclusiveMinimum: 0,
      default: ruleDefaults.scale,
      description: "multiplies readings into kW (0.001 for a series in W)",
    }),
  ),
});

/** One alarm rule as the file writes it, told apart by `kind`. */
export const AlarmRuleSchema = Type.Union([
  ThresholdRuleSchema,
  RateRuleSchema,
  StaleRuleSchema,
  StateRuleSchema,
  CapacityRuleSchema,
]);

/** The `rules` section. */
export const AlarmRulesSchema = Type.Array(AlarmRuleSchema);

/** One alarm rule as the file writes it. */
export type AlarmRuleConfig = Static<typeof AlarmRuleSchema>;

/** Sorted levels, each clearing on the right side of its value. */
function resolveLevels(
  levels: readonly Static<typeof ThresholdLevelSchema>[],
  at: string,
  direction: "above" | "below",
  problems: string[],
): ThresholdLevel[] {
  const resolved = levels.map((level, index): ThresholdLevel => {
    const clear = level.clear ?? level.value;
    if (direction === "above" ? clear > level.value : clear < level.value) {
      problems.push(
        `${at}[${index}].clear: ${clear} must be ${direction === "above" ? "at or below" : "at or above"} value ${level.value}`,
      );
    }
    return { severity: level.severity, value: level.value, clear };
  });
  return resolved.sort((a, b) => (direction === "above" ? a.value - b.value : b.value - a.value));
}

/** The rule a checked entry gives; the rules between its fields go to `problems`. */
function resolveRule(item: AlarmRuleConfig, at: string, problems: string[]): AlarmRule {
  const base = {
    id: item.id,
    title: item.title ?? item.id,
    names: typeof item.series === "string" ? [item.series] : item.series,
    ...(item.labels === undefined ? {} : { labels: item.labels }),
  };
  switch (item.kind) {
    case "threshold":
      if (item.above === undefined && item.below === undefined) {
        problems.push(`${at}: a threshold rule needs above and/or below`);
      }
      return {
        ...base,
        kind: "threshold",
        above: resolveLevels(item.above ?? [], `${at}.above`, "above", problems),
        below: resolveLevels(item.below ?? [], `${at}.below`, "below", problems),
        forMs: (item.forSeconds ?? ruleDefaults.forSeconds) * 1000,
      };
    case "rate":
      if (item.risePerMinute === undefined && item.fallPerMinute === undefined) {
        problems.push(`${at}: a rate rule needs risePerMinute and/or fallPerMinute`);
      }
      return {
        ...base,
        kind: "rate",
        severity: item.severity ?? ruleDefaults.severity,
        windowMs: (item.windowSeconds ?? ruleDefaults.windowSeconds) * 1000,
        ...(item.risePerMinute === undefined ? {} : { risePerMinute: item.risePerMinute }),
        ...(item.fallPerMinute === undefined ? {} : { fallPerMinute: item.fallPerMinute }),
        clearFraction: item.clearFraction ?? ruleDefaults.clearFraction,
      };
    case "stale":
      return {
        ...base,
        kind: "stale",
        severity: item.severity ?? ruleDefaults.severity,
        afterMs: item.afterSeconds * 1000,
      };
    case "state":
      return {
        ...base,
        kind: "state",
        states: new Map(
          Object.entries(item.states).map(([value, severity]): [number, Severity] => [Number(value), severity]),
        ),
      };
    case "capacity": {
      const marginPercent = item.marginPercent ?? ruleDefaults.marginPercent;
      const clearMarginPercent = item.clearMarginPercent ?? marginPercent + 2;
      if (clearMarginPercent < marginPercent) {
        problems.push(`${at}.clearMarginPercent: must be at least marginPercent (${marginPercent})`);
      }
      return {
        ...base,
        kind: "capacity",
        severity: item.severity ?? ruleDefaults.severity,
        capacity: item.capacity,
        marginFraction: marginPercent / 100,
        clearMarginFraction: clearMarginPercent / 100,
        scale: item.scale ?? ruleDefaults.scale,
      };
    }
  }
}

/**
 * Decodes a list of rules from configuration: each rule's shape by `AlarmRuleSchema`, then what a schema cannot say
 * (ids unique, a threshold's clearing values on the right side of its limits, a rate or threshold rule with a limit,
 * a capacity rule clearing below where it raises); fails with every problem, each naming its path.
 */
export function decodeRules(value: unknown, path = "rules"): Result<AlarmRule[]> {
  return decodeEntries(AlarmRulesSchema, value, path, { name: "id", schema: RuleIdSchema }, resolveRule);
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
      // A series first seen since the start may have its alarm restored from the store: it starts at that alarm's
      // level, so a reading back to normal clears it (from -1, nothing would: it would stay active for ever).
      const restored = this.#context.book.activeAlarm(key);
      state = { level: restored === undefined ? -1 : restoredLevel(levels, restored.severity), pending: -1, since: 0 };
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

/** The level a restored alarm of `severity` stands for: the highest of that severity, else the highest. */
function restoredLevel(levels: readonly ThresholdLevel[], severity: Severity): number {
  for (let index = levels.length - 1; index >= 0; index--) if (levels[index]!.severity === severity) return index;
  return levels.length - 1;
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
    } else if (perMinute <= rise * this.#rule.clearFraction && -perMinute <= fall * this.#rule.clearFraction) {
      // Cleared in the book whether this engine raised it or the store restored it (a no-op when neither).
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
    } else if (load < capacity * (1 - rule.clearMarginFraction)) {
      // Cleared in the book whether this engine raised it or the store restored it (a no-op when neither).
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
        } else {
          // Cleared in the book whether this engine raised it or the store restored it (a no-op when neither).
          raised.delete(id);
          this.#context.book.clear(key, now);
        }
      }
    }
  }
}
