/**
 * Loads one page of a server-paged list (`limit`, `cursor`; `X-Total-Count`, `X-Next-Cursor`) with optional
 * refresh: the page in view is reloaded in place, and next/previous walk the cursors, so a list of thousands never
 * travels whole to the browser.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { useSession } from "./session-context.tsx";
import type { ResourceOptions } from "./use-resource.ts";

/** One page of a list and how to move through it. */
export interface PagedResource<T> {
  readonly status: "loading" | "ready" | "unavailable" | "error";
  readonly items: readonly T[];
  readonly error: unknown;
  /** Items on every page (the server's X-Total-Count), when it says. */
  readonly total: number | undefined;
  /** Index of the first item of this page in the whole list. */
  readonly offset: number;
  readonly hasNext: boolean;
  readonly hasPrevious: boolean;
  next(): void;
  previous(): void;
  reload(): void;
}

/** Pages through `path` (undefined: nothing to load) `pageSize` items at a time; a new path starts at its first page. */
export function usePagedResource<T>(
  path: string | undefined,
  pageSize: number,
  options: ResourceOptions = {},
): PagedResource<T> {
  const { client } = useSession();
  // Cursors of the pages before the one in view (undefined: the first page).
  const [cursors, setCursors] = useState<{ path: string | undefined; stack: (string | undefined)[] }>({
    path,
    stack: [undefined],
  });
  const stack = cursors.path === path ? cursors.stack : [undefined];
  const cursor = stack[stack.length - 1];
  const [state, setState] = useState<{
    key: string;
    status: PagedResource<T>["status"];
    items: readonly T[];
    error: unknown;
    total: number | undefined;
    nextCursor: string | undefined;
  }>({ key: "", status: "loading", items: [], error: undefined, total: undefined, nextCursor: undefined });
  const [generation, setGeneration] = useState(0);
  const enabled = options.enabled ?? true;
  const refreshMs = options.refreshMs;
  const key = `${path}|${cursor ?? ""}`;
  const last = useRef(state);
  last.current = state;

  // biome-ignore lint/correctness/useExhaustiveDependencies: generation triggers reloads
  useEffect(() => {
    if (path === undefined || !enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const separator = path.includes("?") ? "&" : "?";
    const url = `${path}${separator}limit=${pageSize}${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`;
    const load = () => {
      client.getPage<T>(url, controller.signal).then(
        (page) => {
          setState({
            key,
            status: "ready",
            items: page.items,
            error: undefined,
            total: page.total,
            nextCursor: page.nextCursor,
          });
          if (refreshMs !== undefined) timer = setTimeout(load, refreshMs);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          const unavailable = error instanceof ApiError && error.routeMissing;
          const previous = last.current.key === key ? last.current : undefined;
          setState({
            key,
            status: unavailable ? "unavailable" : "error",
            items: previous?.items ?? [],
            error,
            total: previous?.total,
            nextCursor: previous?.nextCursor,
          });
          if (!unavailable && refreshMs !== undefined) timer = setTimeout(load, Math.max(refreshMs, 5000));
        },
      );
    };
    load();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [client, path, cursor, pageSize, enabled, refreshMs, generation, key]);

  const current = state.key === key ? state : { ...state, status: "loading" as const, items: [] };
  const nextCursor = current.nextCursor;
  return {
    status: current.status,
    items: current.items,
    error: current.error,
    total: current.total,
    offset: (stack.length - 1) * pageSize,
    hasNext: nextCursor !== undefined,
    hasPrevious: stack.length > 1,
    next: useCallback(() => {
      if (nextCursor !== undefined) setCursors({ path, stack: [...stack, nextCursor] });
    }, [nextCursor, path, stack]),
    previous: useCallback(() => {
      if (stack.length > 1) setCursors({ path, stack: stack.slice(0, -1) });
    }, [path, stack]),
    reload: useCallback(() => setGeneration((value) => value + 1), []),
  };
}
