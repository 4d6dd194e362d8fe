/**
 * Calling the platform's HTTP API from tests with an API key: one request, its status, headers and parsed body
 * (event streams and empty answers give an empty object).
 */

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field from JSON.
type Json = any;

/** An answer of the API. */
export interface ApiAnswer {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
  /** The Content-Type, or "" when there is none. */
  readonly type: string;
}

/** Sends `method path` to the server at `url` with `key` as bearer token and `body` as JSON. */
export async function callApi(
  url: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let parsed: Json = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // Event streams and empty answers are not JSON.
  }
  return {
    status: response.status,
    body: parsed,
    headers: response.headers,
    type: response.headers.get("content-type") ?? "",
  };
}
