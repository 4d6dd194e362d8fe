/**
 * The console's only way to the platform: JSON over HTTP with the caller's API key, errors as RFC 9457 problems.
 * A route the server does not have yet (404 "no route …") is reported as `unavailable` so pages can say so instead
 * of failing.
 */
import type { Problem } from "./types.ts";

/** A failed request, carrying the server's problem document. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly path: string;

  constructor(path: string, problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
    this.path = path;
  }

  /** True when the server has no such route (a feature not deployed), as opposed to a missing resource. */
  get routeMissing(): boolean {
    return this.status === 404 && /^no route\b/.test(this.problem.detail ?? "");
  }

  /** The message the API gave for one field (`body.gpus`), if any. */
  fieldMessage(field: string): string | undefined {
    return this.problem.errors?.find((error) => error.field === field)?.message;
  }
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text();
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    return { ...parsed, status: response.status };
  } catch {
    return { status: response.status, title: response.statusText, detail: text.slice(0, 300) || response.statusText };
  }
}

/** Calls the API with one API key. */
export class ApiClient {
  readonly token: string;
  readonly baseUrl: string;
  /** Called when the server refuses the key (revoked or expired during the session). */
  onUnauthorized: (() => void) | undefined;

  constructor(token: string, baseUrl = "") {
    this.token = token;
    this.baseUrl = baseUrl;
  }

  /** GETs JSON. */
  get<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("GET", path, undefined, signal);
  }

  /** GETs one page of a list: its items, the cursor of the next page (`X-Next-Cursor`) and `X-Total-Count`. */
  async getPage<T>(
    path: string,
    signal?: AbortSignal,
  ): Promise<{ items: T[]; nextCursor: string | undefined; total: number | undefined }> {
    const { body, headers } = await this.exchange<T[]>("GET", path, undefined, signal);
    const total = headers.get("x-total-count");
    return {
      items: body,
      nextCursor: headers.get("x-next-cursor") ?? undefined,
      total: total === null ? undefined : Number(total),
    };
  }

  /** POSTs JSON. */
  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("POST", path, body, signal);
  }

  /** PUTs JSON. */
  put<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>("PUT", path, body, signal);
  }

  /** DELETEs a resource; the answer's JSON, if any. */
  delete<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.request<T>("DELETE", path, undefined, signal);
  }

  /** GETs a text document (YAML exports), for downloads the browser cannot authenticate by link. */
  async getText(path: string, signal?: AbortSignal): Promise<string> {
    const init: RequestInit = { headers: { authorization: `Bearer ${this.token}` } };
    if (signal !== undefined) init.signal = signal;
    const response = await fetch(`${this.baseUrl}${path}`, init);
    if (!response.ok) {
      const error = new ApiError(path, await problemOf(response));
      if (error.status === 401) this.onUnauthorized?.();
      throw error;
    }
    return response.text();
  }

  /** URL of a server-sent event stream, authenticated by query (EventSource cannot set headers). */
  streamUrl(path: string, query: Readonly<Record<string, string>>): string {
    const parameters = new URLSearchParams({ ...query, access_token: this.token });
    return `${this.baseUrl}${path}?${parameters.toString()}`;
  }

  private async request<T>(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return (await this.exchange<T>(method, path, body, signal)).body;
  }

  private async exchange<T>(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
  ): Promise<{ body: T; headers: Headers }> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: "application/json" };
    const init: RequestInit = { method, headers };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    if (signal !== undefined) init.signal = signal;
    const response = await fetch(`${this.baseUrl}${path}`, init);
    if (!response.ok) {
      const error = new ApiError(path, await problemOf(response));
      if (error.status === 401) this.onUnauthorized?.();
      throw error;
    }
    if (response.status === 204) return { body: undefined as T, headers: response.headers };
    return { body: (await response.json()) as T, headers: response.headers };
  }
}

/** Phrases an error for a person. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    const requestId = error.problem.requestId === undefined ? "" : ` (request ${error.problem.requestId})`;
    return `${error.problem.title ?? `HTTP ${error.status}`}: ${error.message}${requestId}`;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
