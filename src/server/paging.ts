/**
 * Cursor paging shared by the list routes, as `GET /v1/jobs` does it: `limit` (1–1,000) and an opaque `cursor`
 * in the query; the answer carries `X-Total-Count` (every item matching the filters the caller may see) and, when
 * more follow, `X-Next-Cursor`. A cursor is the sort key of the last item sent (base64url JSON), so pages stay
 * stable while items are added; a cursor that does not decode to the list's key is a 400 naming the field.
 */
import type { FastifyReply } from "fastify";
import { Type } from "typebox";
import { AppError } from "../core/errors.ts";

/** The largest page a list answers. */
export const maxPageSize = 1000;

/** The paging fields of a list's query string (`limit` defaults to `defaultLimit` in the route). */
export const pagingQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxPageSize, description: "items per page" })),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 400,
      pattern: "^[A-Za-z0-9_-]+$",
      description: "X-Next-Cursor of the previous page",
    }),
  ),
};

/** One value of a sort key. */
export type KeyValue = string | number;

/** The cursor of an item with this sort key. */
export function encodeCursor(key: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * The sort key in a cursor, checked against the list's key shape (`"s"` string, `"n"` finite number per position);
 * anything else is a 400 naming `querystring.cursor`.
 */
export function decodeCursor<const Shape extends readonly ("s" | "n")[]>(
  cursor: string,
  shape: Shape,
): { [Index in keyof Shape]: Shape[Index] extends "n" ? number : string } {
  const invalid = () =>
    new AppError("invalid", "cursor: not a cursor of this list (use the X-Next-Cursor header of the previous page)", {
      field: "querystring.cursor",
    });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== shape.length) throw invalid();
  shape.forEach((kind, index) => {
    const item = value[index];
    const ok = kind === "n" ? Number.isSafeInteger(item) : typeof item === "string" && item.length <= 200;
    if (!ok) throw invalid();
  });
  return value as { [Index in keyof Shape]: Shape[Index] extends "n" ? number : string };
}

/** Sets the paging headers of a page: the total, and the next cursor when `more` items follow. */
export function pageHeaders(reply: FastifyReply, total: number, next: readonly KeyValue[] | undefined): void {
  reply.header("x-total-count", String(total));
  if (next !== undefined) reply.header("x-next-cursor", encodeCursor(next));
}

/**
 * Pages an in-memory list already sorted by `key` in `order`: the items after the cursor's key, at most `limit`,
 * with the total and the next cursor. For lists held in memory (alarms, tenants of a small site); stored lists page
 * in SQL.
 */
export function pageSorted<Item>(
  items: readonly Item[],
  key: (item: Item) => readonly KeyValue[],
  order: "asc" | "desc",
  limit: number,
  after: readonly KeyValue[] | undefined,
): { page: Item[]; total: number; next: readonly KeyValue[] | undefined } {
  let start = 0;
  if (after !== undefined) {
    const sign = order === "asc" ? 1 : -1;
    // Binary search: the first item whose key sorts after the cursor's.
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeys(key(items[middle]!), after) * sign <= 0) low = middle + 1;
      else high = middle;
    }
    start = low;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  const next = last !== undefined && start + limit < items.length ? key(last) : undefined;
  return { page, total: items.length, next };
}

/** Orders two sort keys position by position (numbers numerically, strings by code unit). */
export function compareKeys(a: readonly KeyValue[], b: readonly KeyValue[]): number {
  for (let index = 0; index < Math.min(a.length, b.length); index++) {
    const [x, y] = [a[index]!, b[index]!];
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x < y ? -1 : 1;
    return String(x) < String(y) ? -1 : 1;
  }
  return a.length - b.length;
}

/**
 * The paging fields of a stored list read newest first (`src/store/newest-first.ts`), whose ids are `idPrefix_`
 * and 12 hex digits: its cursor is the last row's `created_at,id`, checked here so a bad one is a 400 naming it.
 */
export function newestFirstPaging(idPrefix: string) {
  return {
    limit: Type.Optional(
      Type.Integer({ minimum: 1, maximum: maxPageSize, description: "rows per page (default 200)" }),
    ),
    cursor: Type.Optional(
      Type.String({
        maxLength: 100,
        pattern: `^[0-9T:.Z-]+,${idPrefix}_[0-9a-f]{12}$`,
        description: "X-Next-Cursor of the previous page",
      }),
    ),
  };
}
