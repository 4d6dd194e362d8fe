/**
 * What an operator sets on the live twin and expects to stay set until they change it: units out of service (a
 * CDU, pump, dry cooler, chiller or air handler: `fail-cdu`, `fail-unit`) and plants' facility supply set-points
 * (`set-supply`). The twin itself is rebuilt at every start and site change; without this, a restart or a new row
 * would silently "repair" a failed CDU and put its alarm out. Kept in the store (`live_equipment`), written in the
 * transaction of the event's audit record, re-applied to each new twin, and carried across a site change in the
 * change's own transaction: a unit whose id the change renames keeps its failure under its new id; a unit the change
 * removes (or whose id passes to another unit) loses it, and the log says so. Events and site changes run one at a
 * time (`InventoryService.exclusive`): the carry reads what memory holds and the new twin replaces the old one with
 * no event between them, whose failure would be lost or held under an id the site no longer has.
 */
import type { Kysely, Transaction } from "kysely";
import { unitRenames } from "../../model/continuity.ts";
import { siteUnits } from "../../model/equipment.ts";
import type { Site } from "../../model/site.ts";
import type { Database } from "../../store/schema.ts";
import type { LiveTwin } from "../../twin/live.ts";
import type { CoreServices } from "../compose.ts";
import type { LiveClock } from "./live-clock.ts";

/** A unit out of service, or a plant's supply set-point, as an operator left it. */
export type HeldState =
  | { readonly kind: "failed"; readonly subject: string; readonly actor: string; readonly updatedAt: string }
  | {
      readonly kind: "supply";
      readonly subject: string;
      readonly supplyC: number;
      readonly actor: string;
      readonly updatedAt: string;
    };

/** A live event that changes what is held (`restart-racks` holds nothing). */
export type HeldChange =
  | { readonly action: "fail-cdu" | "fail-unit"; readonly id: string }
  | { readonly action: "repair-cdu" | "repair-unit"; readonly id: string }
  | { readonly action: "set-supply"; readonly id: string; readonly supplyC: number };

/** What a site change did to the held states: failures carried to a new id, and those dropped with their unit. */
export interface HeldCarry {
  readonly renamed: readonly { readonly from: string; readonly to: string }[];
  readonly dropped: readonly string[];
}

/** The key of a held state: one per unit failed, one per plant set-point. */
const keyOf = (kind: HeldState["kind"], subject: string): string => `${kind}|${subject}`;

/** The held states of the platform, in memory as in the store. */
export class LiveEquipment {
  readonly #db: Kysely<Database>;
  #held = new Map<string, HeldState>();
  /** The states a site change's transaction wrote, adopted once it committed (`adoptCarried`). */
  #carried: { after: Site; held: Map<string, HeldState>; carry: HeldCarry } | undefined;

  private constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  /** Reads what the store holds. */
  static async load(db: Kysely<Database>): Promise<LiveEquipment> {
    const equipment = new LiveEquipment(db);
    const rows = await db.selectFrom("live_equipment").selectAll().execute();
    for (const row of rows) {
      const state: HeldState =
        row.kind === "supply" && row.supply_c !== null
          ? { kind: "supply", subject: row.subject, supplyC: row.supply_c, actor: row.actor, updatedAt: row.updated_at }
          : { kind: "failed", subject: row.subject, actor: row.actor, updatedAt: row.updated_at };
      equipment.#held.set(keyOf(state.kind, state.subject), state);
    }
    return equipment;
  }

  /** What is held now, failures first, each kind by id. */
  get held(): readonly HeldState[] {
    return [...this.#held.values()].sort((a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject));
  }

  /**
   * Applies every held state to a new twin. One the twin refuses (its unit or plant is not in the site: a store
   * written under another site file) is forgotten in memory and returned, with the twin's reason, for `forget`.
   */
  restore(twin: LiveTwin): readonly { readonly state: HeldState; readonly reason: string }[] {
    const refused: { state: HeldState; reason: string }[] = [];
    for (const state of this.held) {
      const outcome =
        state.kind === "failed" ? twin.failUnit(state.subject) : twin.setFacilitySupplyC(state.subject, state.supplyC);
      if (outcome.ok) continue;
      refused.push({ state, reason: outcome.error });
      this.#held.delete(keyOf(state.kind, state.subject));
    }
    return refused;
  }

  /** Deletes from the store the states `restore` refused. */
  async forget(states: readonly HeldState[]): Promise<void> {
    for (const state of states) {
      await this.#db
        .deleteFrom("live_equipment")
        .where("kind", "=", state.kind)
        .where("subject", "=", state.subject)
        .execute();
    }
  }

  /**
   * Writes a live event's change in `trx` (the transaction of its audit record). Memory follows once the caller's
   * transaction has committed (`commit`), so a failed write leaves nothing held that the store lacks.
   */
  async write(trx: Transaction<Database>, change: HeldChange, actor: string): Promise<() => void> {
    const updatedAt = new Date().toISOString();
    const kind = change.action === "set-supply" ? "supply" : "failed";
    const key = keyOf(kind, change.id);
    if (change.action === "repair-cdu" || change.action === "repair-unit") {
      await trx.deleteFrom("live_equipment").where("kind", "=", kind).where("subject", "=", change.id).execute();
      return () => this.#held.delete(key);
    }
    const supplyC = change.action === "set-supply" ? change.supplyC : null;
    await trx
      .insertInto("live_equipment")
      .values({ kind, subject: change.id, supply_c: supplyC, actor, updated_at: updatedAt })
      .onConflict((conflict) =>
        conflict.columns(["kind", "subject"]).doUpdateSet({ supply_c: supplyC, actor, updated_at: updatedAt }),
      )
      .execute();
    const state: HeldState =
      supplyC === null
        ? { kind: "failed", subject: change.id, actor, updatedAt }
        : { kind: "supply", subject: change.id, supplyC, actor, updatedAt };
    return () => this.#held.set(key, state);
  }

  /**
   * A site change's writer (`InventoryService.addChangeWriter`): failures follow their units' new ids
   * (`unitRenames`), those of units removed are dropped, set-points of plants removed too; written in the change's
   * transaction and adopted by `adoptCarried` once it committed.
   */
  async carryAcross(trx: Transaction<Database>, before: Site, after: Site): Promise<void> {
    this.#carried = undefined;
    if (this.#held.size === 0) return;
    const renames = new Map(unitRenames(before, after).map((rename) => [rename.id, rename]));
    // What a held state may name after the change: a unit a live event can fail, or a plant.
    const unitIds = new Set([...after.plants.map((plant) => plant.id), ...siteUnits(after).keys()]);
    const held = new Map<string, HeldState>();
    const renamed: { from: string; to: string }[] = [];
    const dropped: string[] = [];
    for (const state of this.#held.values()) {
      const rename = state.kind === "failed" ? renames.get(state.subject) : undefined;
      // A renamed unit keeps its failure under its new id; one removed whose id passes to another unit loses it.
      const subject = rename === undefined ? state.subject : rename.to;
      if (subject === undefined || !unitIds.has(subject)) {
        dropped.push(state.subject);
        continue;
      }
      if (subject !== state.subject) renamed.push({ from: state.subject, to: subject });
      held.set(keyOf(state.kind, subject), { ...state, subject });
    }
    if (renamed.length === 0 && dropped.length === 0) return;
    await trx.deleteFrom("live_equipment").execute();
    const rows = [...held.values()].map((state) => ({
      kind: state.kind,
      subject: state.subject,
      supply_c: state.kind === "supply" ? state.supplyC : null,
      actor: state.actor,
      updated_at: state.updatedAt,
    }));
    if (rows.length > 0) await trx.insertInto("live_equipment").values(rows).execute();
    this.#carried = { after, held, carry: { renamed, dropped } };
  }

  /** After a site change to `after` committed: takes what `carryAcross` wrote for it; answers what it did. */
  adoptCarried(after: Site): HeldCarry {
    const carried = this.#carried;
    this.#carried = undefined;
    if (carried === undefined || carried.after !== after) return { renamed: [], dropped: [] };
    this.#held = carried.held;
    return carried.carry;
  }
}

/**
 * Builds the live twin of the site in force with what the store holds, and keeps holding it: each site change
 * carries the held states in its transaction and re-applies them to the new twin before its first snapshot. Returns
 * the held states and the function that detaches from the inventory.
 */
export async function holdLiveEquipment(
  core: CoreServices,
  clock: LiveClock,
): Promise<{ equipment: LiveEquipment; detach: () => void }> {
  const equipment = await LiveEquipment.load(core.store.db);
  const restoreInto = (twin: LiveTwin) => {
    const refused = equipment.restore(twin);
    if (refused.length === 0) return;
    for (const { state, reason } of refused) {
      core.log.write("warn", "live", `forgot the held ${state.kind} of ${state.subject}: ${reason}`);
    }
    equipment.forget(refused.map(({ state }) => state)).catch((error: Error) => {
      core.log.write("warn", "live", `forgetting held states failed: ${error.message}`);
    });
  };
  clock.build(core.inventory.current.site, restoreInto);
  const removeWriter = core.inventory.addChangeWriter((trx, before, after) =>
    equipment.carryAcross(trx, before, after),
  );
  const removeListener = core.inventory.onChange((changed) => {
    const carry = equipment.adoptCarried(changed.site);
    for (const { from, to } of carry.renamed) {
      core.log.write("info", "live", `${from} is ${to} after the site change; it stays out of service`);
    }
    for (const subject of carry.dropped) {
      core.log.write("warn", "live", `${subject} is not in the site after the change; what was held on it is dropped`);
    }
    clock.build(changed.site, restoreInto);
  });
  return {
    equipment,
    detach: () => {
      removeListener();
      removeWriter();
    },
  };
}
