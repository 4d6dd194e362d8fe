/**
 * Typed identifiers: every facility object has an id of the form `kind:local`, such as `rack:h1-r07-012`,
 * `cdu:h3-r08-2` or `plant:h1`. The kind prefix makes a dangling or misplaced reference obvious in errors and logs.
 */

/** The kinds of object the facility model names. */
export const idKinds = [
  "site",
  "zone",
  "hall",
  "row",
  "rack",
  "feed",
  "transformer",
  "ups",
  "busway",
  "cdu",
  "tcs",
  "plant",
  "pump",
  "drycooler",
  "chiller",
  "leak",
] as const;

/** One of the id kinds. */
export type IdKind = (typeof idKinds)[number];

/** An id of a given kind, checked by the compiler (`Id<"rack">` accepts `rack:...` only). */
export type Id<Kind extends IdKind> = `${Kind}:${string}`;

export type ZoneId = Id<"zone">;
export type HallId = Id<"hall">;
export type RowId = Id<"row">;
export type RackId = Id<"rack">;
export type FeedId = Id<"feed">;
export type TransformerId = Id<"transformer">;
export type UpsId = Id<"ups">;
export type BuswayId = Id<"busway">;
export type CduId = Id<"cdu">;
export type TcsLoopId = Id<"tcs">;
export type PlantId = Id<"plant">;
export type PumpId = Id<"pump">;
export type DryCoolerId = Id<"drycooler">;
export type ChillerId = Id<"chiller">;
export type LeakDetectorId = Id<"leak">;

const localPart = /^[a-z0-9][a-z0-9._-]*$/;

/** Builds an id of a kind from its local part; the local part must be lower-case letters, digits, `.`, `_` or `-`. */
export function makeId<Kind extends IdKind>(kind: Kind, local: string): Id<Kind> {
  return `${kind}:${local}`;
}

/** Tells whether `value` is a well-formed id of `kind`. */
export function isId<Kind extends IdKind>(kind: Kind, value: unknown): value is Id<Kind> {
  return typeof value === "string" && value.startsWith(`${kind}:`) && localPart.test(value.slice(kind.length + 1));
}

/** Tells whether `local` may be used as the local part of an id. */
export function isLocalName(local: string): boolean {
  return localPart.test(local);
}

/** The local part of an id (`rack:h1-r07-012` → `h1-r07-012`). */
export function localOf(id: string): string {
  const colon = id.indexOf(":");
  return colon < 0 ? id : id.slice(colon + 1);
}

/** Zero-pads a 1-based position to a fixed width (`pad(7, 2)` → `07`). */
export function pad(position: number, width: number): string {
  return String(position).padStart(width, "0");
}
