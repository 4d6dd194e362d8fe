/**
 * Calling the platform's HTTP API from tests with an API key: one request, its status, headers and parsed body
 * (event streams and empty answers give an empty object), and a seeded lab platform to call.
 */
import { type ComposedApp, composeApp } from "../../src/app/compose.ts";
import { defaultFeatures } from "../../src/app/features/index.ts";

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

/** A seeded platform on the lab site for API tests: its address and the demo users' keys by e-mail. */
export interface SeededLab {
  readonly app: ComposedApp;
  readonly url: string;
  readonly keys: Readonly<Record<string, string>>;
}

/**
 * Starts the lab site's platform on an in-memory store, seeded with the demo tenants and keys, listening on a free
 * loopback port (jobs at 60× speed, no demo load, telemetry in memory). The caller closes `app`.
 */
export async function startSeededLab(): Promise<SeededLab> {
  const app = await composeApp({
    site: "lab",
    store: { kind: "pglite", dataDir: "memory" },
    seed: true,
    features: defaultFeatures({ speed: 60, demoLoad: 0, telemetryInMemory: true }),
  });
  const url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  return { app, url, keys: Object.fromEntries(app.demoKeys!.map((key) => [key.email, key.token])) };
}
