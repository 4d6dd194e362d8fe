/**
 * Previous/next controls and the "1–200 of 1,234" line under a server-paged list.
 */
import type { PagedResource } from "../app/use-paged-resource.ts";
import { formatNumber } from "../format.ts";

/** The pager of a paged list; nothing when everything fits on one page. */
export function Pager({ page, label }: { page: PagedResource<unknown>; label: string }) {
  if (!page.hasNext && !page.hasPrevious) return null;
  const first = page.offset + 1;
  const last = page.offset + page.items.length;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={page.previous} disabled={!page.hasPrevious}>
        Previous
      </button>
      <span>
        {formatNumber(first)}–{formatNumber(last)}
        {page.total === undefined ? "" : ` of ${formatNumber(page.total)}`} {label}
      </span>
      <button type="button" onClick={page.next} disabled={!page.hasNext}>
        Next
      </button>
    </nav>
  );
}
