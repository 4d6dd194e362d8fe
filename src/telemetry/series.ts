/**
 * The series registry: every distinct (name, labels) pair gets a dense integer id, so hot buffers, the write-ahead
 * log and history all work on numbers. A series also carries its place in the site (rack, row, hall, plant), which
 * is what makes "the last hour of rack h1-r07-012" a lookup rather than a scan.
 */
import { type Location, locateLabels, type SiteIndex } from "./site-index.ts";
import { checkLabels, checkMetricName, failure, type Labels, type Result, success } from "./types.ts";

/** One series. */
export interface SeriesInfo {
  readonly id: number;
  /** Canonical text form, `name{a="1",b="2"}` with labels sorted: the identity of the series. */
  readonly key: string;
  readonly name: string;
  readonly labels: Labels;
  readonly location: Location;
}

/** Which series a query or an export wants. Every given criterion must hold. */
export interface SeriesSelector {
  /** Series names (any of). */
  readonly names?: readonly string[];
  /** Canonical keys (any of). */
  readonly keys?: readonly string[];
  readonly equipment?: string;
  readonly rack?: string;
  readonly row?: string;
  readonly hall?: string;
  readonly plant?: string;
  /** Labels that must be present with exactly these values. */
  readonly labels?: Labels;
}

const needsEscape = /[\\"\n]/;

function escapeLabelValue(value: string): string {
  if (!needsEscape.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** The label part of a key: `{a="1",b="2"}` with names sorted, or "" for no labels. */
function labelText(labels: Labels): string {
  const names = Object.keys(labels);
  if (names.length === 0) return "";
  names.sort();
  let text = "{";
  for (let i = 0; i < names.length; i++) {
    const label = names[i]!;
    text += `${i > 0 ? "," : ""}${label}="${escapeLabelValue(labels[label]!)}"`;
  }
  return `${text}}`;
}

/** The canonical key of a series: name then labels sorted by name, values escaped as in Prometheus text. */
export function seriesKey(name: string, labels: Labels): string {
  return name + labelText(labels);
}

/** Options of a registry. */
export interface RegistryOptions {
  /** Resolves site ids found in labels; without it only `rack`/`row`/`hall`/`plant` labels locate a series. */
  readonly site?: SiteIndex;
  /** Refuse new series past this count (a cardinality guard against a misbehaving sender). Default 2 million. */
  readonly maxSeries?: number;
  /** Refuse new series from one source (an API key, a poller) past this count. Default 250,000. */
  readonly maxSeriesPerSource?: number;
}

const locationFields = ["equipment", "rack", "row", "hall", "plant"] as const;

/** What a label set resolves to, computed once per shared (frozen) label object. */
interface LabelSet {
  readonly text: string;
  readonly problem: string | undefined;
  readonly location: Location;
}

/**
 * Interns series and answers selectors. Adapters that give many series the same label object (an Influx line's tags
 * for its 30 fields) should freeze it: a frozen label set is checked, keyed and located once and then shared by
 * its series, which at a million series is the difference between a few hundred megabytes of heap and a gigabyte.
 */
export class SeriesRegistry {
  readonly #infos: SeriesInfo[] = [];
  readonly #ids = new Map<string, number>();
  readonly #byName = new Map<string, number[]>();
  readonly #byLocation = locationFields.map(() => new Map<string, number[]>());
  readonly #site: SiteIndex | undefined;
  readonly #maxSeries: number;
  readonly #maxPerSource: number;
  readonly #perSource = new Map<string, number>();
  #source: string | undefined;
  #sourceRefusals = 0;
  readonly #labelSets = new WeakMap<Labels, LabelSet>();
  readonly #restoredSets = new Map<string, { readonly labels: Labels; readonly location: Location }>();

  constructor(options: RegistryOptions = {}) {
    this.#site = options.site;
    this.#maxSeries = options.maxSeries ?? 2_000_000;
    this.#maxPerSource = options.maxSeriesPerSource ?? 250_000;
  }

  /**
   * Runs `work` (a synchronous parse) with new series counted against `source`; returns its result and how many
   * series it was refused for passing the source's limit.
   */
  withSource<T>(source: string | undefined, work: () => T): { result: T; refusedForSource: number } {
    const before = this.#sourceRefusals;
    this.#source = source;
    try {
      return { result: work(), refusedForSource: this.#sourceRefusals - before };
    } finally {
      this.#source = undefined;
    }
  }

  /** Number of series known. */
  get size(): number {
    return this.#infos.length;
  }

  /** The series with an id. */
  info(id: number): SeriesInfo | undefined {
    return this.#infos[id];
  }

  /** The id of a canonical key, if known. */
  idOf(key: string): number | undefined {
    return this.#ids.get(key);
  }

  /** Returns the id of (name, labels), creating the series if new. Names and labels are checked first. */
  intern(name: string, labels: Labels): Result<number> {
    // Unshared labels (a JSON batch copies its own) are only keyed before the lookup: checking and locating them is
    // for a new series, and doing it for every known one made a batch of a few thousand samples take tens of ms.
    const shared = Object.isFrozen(labels) ? this.#sharedLabelSet(labels) : undefined;
    const text = shared?.text ?? labelText(labels);
    const key = name + text;
    const known = this.#ids.get(key);
    if (known !== undefined) return success(known);
    const set = shared ?? this.#describe(labels, text);
    const problem = checkMetricName(name) ?? set.problem;
    if (problem !== undefined) return failure(problem);
    if (this.#infos.length >= this.#maxSeries) {
      this.#sourceRefusals++;
      return failure(`series limit reached (${this.#maxSeries.toLocaleString("en-US")}): ${key} was not created`);
    }
    const source = this.#source;
    if (source !== undefined) {
      const count = this.#perSource.get(source) ?? 0;
      if (count >= this.#maxPerSource) {
        this.#sourceRefusals++;
        return failure(
          `this source reached its limit of ${this.#maxPerSource.toLocaleString("en-US")} series: ${key} was not created`,
        );
      }
      this.#perSource.set(source, count + 1);
    }
    return success(this.#add(this.#infos.length, key, name, labels, set.location));
  }

  /** The label set of a frozen label object, described once and shared by its series. */
  #sharedLabelSet(labels: Labels): LabelSet {
    let set = this.#labelSets.get(labels);
    if (set === undefined) {
      set = this.#describe(labels, labelText(labels));
      this.#labelSets.set(labels, set);
    }
    return set;
  }

  #describe(labels: Labels, text: string): LabelSet {
    const problem = checkLabels(labels);
    return { text, problem, location: problem === undefined ? locateLabels(labels, this.#site) : {} };
  }

  /**
   * Re-creates a series under a known id when history or the write-ahead log is read back at start. Ids are dense,
   * so `id` must be the next free one or an existing series with the same key.
   */
  restore(id: number, name: string, labels: Labels): Result<number> {
    const text = labelText(labels);
    const key = name + text;
    const known = this.#ids.get(key);
    if (known !== undefined) {
      return known === id ? success(id) : failure(`series ${key} is stored as ${id} but known as ${known}`);
    }
    if (id !== this.#infos.length) return failure(`series ${key} has id ${id}, expected ${this.#infos.length}`);
    // Series read back share one frozen label object and location per distinct label set, as at ingest.
    let shared = this.#restoredSets.get(text);
    if (shared === undefined) {
      const frozen = Object.freeze({ ...labels });
      shared = { labels: frozen, location: locateLabels(frozen, this.#site) };
      this.#restoredSets.set(text, shared);
    }
    return success(this.#add(id, key, name, shared.labels, shared.location));
  }

  #add(id: number, key: string, name: string, labels: Labels, location: Location): number {
    // Shared (frozen) label sets are kept as they are; others are copied so a caller cannot change them later.
    const kept = Object.isFrozen(labels) ? labels : Object.freeze({ ...labels });
    const info: SeriesInfo = { id, key, name, labels: kept, location };
    this.#infos.push(info);
    this.#ids.set(key, id);
    push(this.#byName, name, id);
    locationFields.forEach((field, index) => {
      const value = info.location[field];
      if (value !== undefined) push(this.#byLocation[index]!, value, id);
    });
    return id;
  }

  /** Ids of every series matching a selector, in id order. An empty selector selects everything. */
  select(selector: SeriesSelector): number[] {
    const candidates: (readonly number[])[] = [];
    if (selector.names !== undefined) {
      candidates.push(selector.names.flatMap((name) => this.#byName.get(name) ?? []).sort((a, b) => a - b));
    }
    if (selector.keys !== undefined) {
      const ids: number[] = [];
      for (const key of selector.keys) {
        const id = this.#ids.get(key);
        if (id !== undefined) ids.push(id);
      }
      candidates.push(ids.sort((a, b) => a - b));
    }
    locationFields.forEach((field, index) => {
      const value = selector[field];
      if (value !== undefined) candidates.push(this.#byLocation[index]!.get(value) ?? []);
    });
    let ids: readonly number[];
    if (candidates.length === 0) ids = this.#infos.map((info) => info.id);
    else {
      candidates.sort((a, b) => a.length - b.length);
      ids = candidates[0]!;
      for (const other of candidates.slice(1)) {
        const set = new Set(other);
        ids = ids.filter((id) => set.has(id));
      }
    }
    const wanted = selector.labels;
    if (wanted === undefined) return [...ids];
    const entries = Object.entries(wanted);
    return ids.filter((id) => {
      const labels = this.#infos[id]!.labels;
      return entries.every(([name, value]) => labels[name] === value);
    });
  }
}

function push(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [id]);
  else list.push(id);
}
