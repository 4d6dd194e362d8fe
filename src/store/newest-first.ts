/**
 * Keyset paging of a stored list newest first, shared by the drains and grid events lists: rows ordered by
 * `(created_at, id)` descending, a page asks one row more than its limit to know whether another follows, and the
 * cursor is the key of the last row sent (`created_at,id`), so pages stay stable while rows are added.
 */
import type { Selectable, SelectQueryBuilder } from "kysely";
import type { Database } from "./schema.ts";

/** Tables whose rows carry a creation time and a text id, the key of a newest-first list. */
export type NewestFirstTable = {
  [Table in keyof Database]: Database[Table] extends { created_at: string; id: string } ? Table : never;
}[keyof Database];

/** One page of a newest-first list, with the count of every row matching the filters. */
export interface NewestFirstPage<Row> {
  readonly rows: Row[];
  readonly total: number;
  /** The cursor of the next page, when one follows. */
  readonly nextCursor: string | undefined;
}

/**
 * Counts the rows of `filtered` (a `selectFrom(table)` with the list's filters) and reads the page after `cursor`
 * (undefined: the first). The route checks the cursor's shape (`created_at,id`) before it comes here.
 */
export async function newestFirstPage<Table extends NewestFirstTable>(
  filtered: SelectQueryBuilder<Database, Table, object>,
  limit: number,
  cursor: string | undefined,
): Promise<NewestFirstPage<Selectable<Database[Table]>>> {
  // Every table of NewestFirstTable has the key columns; Kysely cannot see that through the type parameter.
  const query = filtered as unknown as SelectQueryBuilder<Database, NewestFirstTable, object>;
  const { total } = await query.select((eb) => eb.fn.countAll<string>().as("total")).executeTakeFirstOrThrow();
  let paged = query
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit + 1);
  if (cursor !== undefined) {
    const comma = cursor.indexOf(",");
    const createdAt = cursor.slice(0, comma);
    const id = cursor.slice(comma + 1);
    paged = paged.where((eb) =>
      eb.or([eb("created_at", "<", createdAt), eb.and([eb("created_at", "=", createdAt), eb("id", "<", id)])]),
    );
  }
  const rows = await paged.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    rows: page as unknown as Selectable<Database[Table]>[],
    total: Number(total),
    nextCursor: rows.length > limit && last !== undefined ? `${last.created_at},${last.id}` : undefined,
  };
}
