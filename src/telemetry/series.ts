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
  /** By id; a hole is a series withdrawn because the batch that made it was refused. */
  readonly #infos: (SeriesInfo | undefined)[] = [];
  #live = 0;
  #version = 0;
  #withdrawals = 0;
  /** Withdrawn series kept until `forgetWithdrawn`, so a batch still holding one of their ids can bring it back. */
  readonly #withdrawn = new Map<number, { readonly info: SeriesInfo; readonly source: string | undefined }>();
  readonly #ids = new Map<string, number>();
  readonly #byName = new Map<string, number[]>();
  readonly #byLocation = locationFields.map(() => new Map<string, number[]>());
  #site: SiteIndex | undefined;
  readonly #maxSeries: number;
  readonly #maxPerSource: number;
  readonly #perSource = new Map<string, number>();
  #source: string | undefined;
  #sourceRefusals = 0;
  /** Ids created by the `withSource` work running now. */
  #created: number[] | undefined;
  readonly #labelSets = new WeakMap<Labels, LabelSet>();
  readonly #restoredSets = new Map<string, { readonly labels: Labels; readonly location: Location }>();

  constructor(options: RegistryOptions = {}) {
    this.#site = options.site;
    this.#maxSeries = options.maxSeries ?? 2_000_000;
    this.#maxPerSource = options.maxSeriesPerSource ?? 250_000;
  }

  /**
   * The site that places series interned from now on (after a site change). Series already known keep the place
   * they were given: their labels name ids as their source sends them, which the change did not rename.
   */
  placeOn(site: SiteIndex | undefined): void {
    this.#site = site;
  }

  /**
   * Runs `work` (a synchronous parse) with new series counted against `source`; returns its result, how many
   * series it was refused for passing the source's limit, and the ids it created (to withdraw if its batch is
   * refused).
   */
  withSource<T>(
    source: string | undefined,
    work: () => T,
  ): { result: T; refusedForSource: number; created: readonly number[] } {
    const before = this.#sourceRefusals;
    const created: number[] = [];
    this.#source = source;
    this.#created = created;
    try {
      return { result: work(), refusedForSource: this.#sourceRefusals - before, created };
    } finally {
      this.#source = undefined;
      this.#created = undefined;
    }
  }

  /** Number of series known (withdrawn ones excluded). */
  get size(): number {
    return this.#live;
  }

  /** One past the highest id ever given: ids below it are series or holes. */
  get idBound(): number {
    return this.#infos.length;
  }

  /** Changes whenever a series is added or withdrawn: a cached selection with an older version is stale. */
  get version(): number {
    return this.#version;
  }

  /** The series with an id (undefined for a withdrawn one). */
  info(id: number): SeriesInfo | undefined {
    return this.#infos[id];
  }

  /**
   * Withdraws series made for a batch that was then refused: they leave the listings, the indexes and the counts
   * of the series limits. Their ids are never given again; a batch that still holds one (it was parsed meanwhile)
   * brings it back with `revive`. `source` is the one the series were counted against.
   */
  withdraw(ids: readonly number[], source: string | undefined): number {
    let withdrawn = 0;
    for (const id of ids) {
      const info = this.#infos[id];
      if (info === undefined) continue;
      this.#infos[id] = undefined;
      this.#ids.delete(info.key);
      remove(this.#byName, info.name, id);
      locationFields.forEach((field, index) => {
        const value = info.location[field];
        if (value !== undefined) remove(this.#byLocation[index]!, value, id);
      });
      this.#withdrawn.set(id, { info, source });
      if (source !== undefined) {
        const count = this.#perSource.get(source) ?? 0;
        if (count <= 1) this.#perSource.delete(source);
        else this.#perSource.set(source, count - 1);
      }
      this.#live--;
      withdrawn++;
    }
    if (withdrawn > 0) {
      this.#version++;
      this.#withdrawals++;
    }
    return withdrawn;
  }

  /**
   * The id to use for a withdrawn series a batch still holds: the same id, back in the registry, or the id its key
   * was given since. Undefined when it was forgotten (the batch must drop those samples).
   */
  revive(id: number): number | undefined {
    if (this.#infos[id] !== undefined) return id;
    const entry = this.#withdrawn.get(id);
    if (entry === undefined) return undefined;
    this.#withdrawn.delete(id);
    const known = this.#ids.get(entry.info.key);
    if (known !== undefined) return known;
    if (entry.source !== undefined) this.#perSource.set(entry.source, (this.#perSource.get(entry.source) ?? 0) + 1);
    this.#add(id, entry.info.key, entry.info.name, entry.info.labels, entry.info.location);
    return id;
  }

  /** Drops what is kept of withdrawn series (call when no batch can still hold their ids). */
  forgetWithdrawn(): void {
    this.#withdrawn.clear();
  }

  /** Counts calls of `withdraw` that withdrew something: a batch parsed at another count may hold withdrawn ids. */
  get withdrawals(): number {
    return this.#withdrawals;
  }

  /** Withdrawn series still kept for `revive`. */
  get withdrawnKept(): number {
    return this.#withdrawn.size;
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
    if (this.#live >= this.#maxSeries) {
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
    const id = this.#add(this.#infos.length, key, name, labels, set.location);
    this.#created?.push(id);
    return success(id);
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
   * Re-creates a series under a known id when history or the write-ahead log is read back at start. `id` must be
   * free (past the highest id, or a hole left by a withdrawn series) or an existing series with the same key.
   */
  restore(id: number, name: string, labels: Labels): Result<number> {
    const text = labelText(labels);
    const key = name + text;
    const known = this.#ids.get(key);
    if (known !== undefined) {
      return known === id ? success(id) : failure(`series ${key} is stored as ${id} but known as ${known}`);
    }
    if (this.#infos[id] !== undefined) {
      return failure(`series ${key} has id ${id}, which is ${this.#infos[id]!.key}`);
    }
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
    // Holes (ids of withdrawn series) stay undefined.
    while (this.#infos.length < id) this.#infos.push(undefined);
    this.#infos[id] = info;
    this.#live++;
    this.#version++;
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
    if (candidates.length === 0) {
      const all: number[] = [];
      for (const info of this.#infos) if (info !== undefined) all.push(info.id);
      ids = all;
    } else {
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
  else if (list.length === 0 || list.at(-1)! < id) list.push(id);
  else {
    // A revived id goes back in order: selections are in id order.
    let at = list.length;
    while (at > 0 && list[at - 1]! > id) at--;
    list.splice(at, 0, id);
  }
}

function remove(map: Map<string, number[]>, key: string, id: number): void {
  const list = map.get(key);
  if (list === undefined) return;
  // Withdrawn series are the newest: search from the end.
  const at = list.lastIndexOf(id);
  if (at >= 0) list.splice(at, 1);
  if (list.length === 0) map.delete(key);
}
