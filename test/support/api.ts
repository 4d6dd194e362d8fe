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

/** Sends `method path` to the server at `url` with `key` as bearer token, `body` as JSON and `headers` besides. */
export async function callApi(
  url: string,
  method: string,
  path: string,
  key: string,
  body?: unknown,
  headers: Readonly<Record<string, string>> = {},
): Promise<ApiAnswer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...headers,
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
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

/**
 * What an administrator does to give a collector or scraper its own credentials: a staff user (no tenant) with
 * `role`, named `name` (`name@alixan.local`), and a key for it; returns the key's token and fails the test otherwise.
 */
export async function staffKey(url: string, adminKey: string, role: string, name: string): Promise<string> {
  const user = await callApi(url, "POST", "/v1/users", adminKey, {
    tenantId: null,
    name,
    email: `${name.toLowerCase().replaceAll(" ", "-")}@alixan.local`,
    role,
  });
  if (user.status !== 201)
    throw new Error(`creating user ${name} answered ${user.status}: ${JSON.stringify(user.body)}`);
  const key = await callApi(url, "POST", "/v1/keys", adminKey, { userId: user.body.id, name });
  if (key.status !== 201)
    throw new Error(`creating a key for ${name} answered ${key.status}: ${JSON.stringify(key.body)}`);
  return key.body.token as string;
}
