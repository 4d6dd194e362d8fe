/**
 * Loads one API resource for a page, with optional refresh, aborting on unmount. A route the server does not have
 * becomes `unavailable` rather than an error.
 */
import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client.ts";
import { useSession } from "./session-context.tsx";

/** The state of a loaded resource. */
export type Resource<T> =
  | { readonly status: "loading"; readonly data: undefined; readonly error: undefined }
  | { readonly status: "ready"; readonly data: T; readonly error: undefined }
  | { readonly status: "unavailable"; readonly data: undefined; readonly error: ApiError }
  | { readonly status: "error"; readonly data: T | undefined; readonly error: unknown };

const loading = { status: "loading", data: undefined, error: undefined } as const;

/** Options of `useResource`. */
export interface ResourceOptions {
  /** Reload every this many ms while mounted. */
  readonly refreshMs?: number;
  /** Skip loading (the feature is not offered or not permitted). */
  readonly enabled?: boolean;
}

/** Loads `path` (undefined: nothing to load); `reload()` fetches it again. */
export function useResource<T>(
  path: string | undefined,
  options: ResourceOptions = {},
): Resource<T> & { reload: () => void } {
  const { client } = useSession();
  const [stored, setStored] = useState<{ path: string | undefined; resource: Resource<T> }>({
    path: undefined,
    resource: loading,
  });
  const setState = useCallback((resource: Resource<T>) => setStored({ path, resource }), [path]);
  const [generation, setGeneration] = useState(0);
  const lastData = useRef<T | undefined>(undefined);
  const enabled = options.enabled ?? true;
  const refreshMs = options.refreshMs;

  // `generation` is a dependency on purpose: `reload()` bumps it to fetch again.
  // biome-ignore lint/correctness/useExhaustiveDependencies: generation triggers reloads
  useEffect(() => {
    if (path === undefined || !enabled) return;
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      client.get<T>(path, controller.signal).then(
        (data) => {
          lastData.current = data;
          setState({ status: "ready", data, error: undefined });
          if (refreshMs !== undefined) timer = setTimeout(load, refreshMs);
        },
        (error: unknown) => {
          if (controller.signal.aborted) return;
          if (error instanceof ApiError && error.routeMissing) {
            setState({ status: "unavailable", data: undefined, error });
            return;
          }
          setState({ status: "error", data: lastData.current, error });
          if (refreshMs !== undefined) timer = setTimeout(load, Math.max(refreshMs, 5000));
        },
      );
    };
    load();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [client, path, enabled, refreshMs, generation, setState]);

  const reload = useCallback(() => setGeneration((value) => value + 1), []);
  // Another path's data is never shown for this one.
  const state = stored.path === path ? stored.resource : loading;
  return { ...state, reload };
}
