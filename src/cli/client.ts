/**
 * A small HTTP client for commands that talk to a running platform (`--url`, `--key`, or ALIXAN_URL and
 * ALIXAN_KEY): JSON requests, problem+json errors turned into one-line CLI errors, and server-sent event streams.
 */
import type { Command } from "commander";
import { type ServerSentEvent, SseParser } from "../telemetry/sse.ts";
import { CliError, exitCodes } from "./output.ts";

/** Connection options shared by remote commands. */
export interface RemoteOptions {
  url: string;
  key?: string;
}

/** Adds `--url` and `--key` to a command. */
export function withRemoteOptions(command: Command): Command {
  return command
    .option("--url <url>", "the platform's address", process.env["ALIXAN_URL"] ?? "http://127.0.0.1:3000")
    .option("--key <key>", "API key (default: ALIXAN_KEY)");
}

function headersOf(options: RemoteOptions): Record<string, string> {
  const key = options.key ?? process.env["ALIXAN_KEY"];
  if (key === undefined || key === "") {
    throw new CliError(
      "no API key: pass --key alx_… or set ALIXAN_KEY (npm start prints the admin key)",
      exitCodes.usage,
    );
  }
  return { authorization: `Bearer ${key}` };
}

/** Sends a request and returns the answer's text; a problem answer becomes a CliError with its detail. */
export async function requestText(
  options: RemoteOptions,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<string> {
  const headers = { ...headersOf(options), ...(body === undefined ? {} : { "content-type": "application/json" }) };
  let response: Response;
  try {
    response = await fetch(new URL(path, options.url), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    throw new CliError(`cannot reach ${options.url}: ${(error as Error).cause ?? (error as Error).message}`);
  }
  const text = await response.text();
  if (!response.ok) {
    let detail = text;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
    } catch {
      // Not JSON: show the text as it came.
    }
    throw new CliError(`${method} ${path}: ${response.status} ${detail}`);
  }
  return text;
}

/** Sends a request and returns the JSON answer (see `requestText`). */
export async function requestJson<Result>(
  options: RemoteOptions,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<Result> {
  const text = await requestText(options, method, path, body);
  return (text === "" ? undefined : JSON.parse(text)) as Result;
}

/** Follows a server-sent event stream, calling `onEvent` for each event until the signal aborts. */
export async function followStream(
  options: RemoteOptions,
  path: string,
  onEvent: (event: ServerSentEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const headers = headersOf(options);
  let response: Response;
  try {
    response = await fetch(new URL(path, options.url), { headers, signal });
  } catch (error) {
    if (signal.aborted) return;
    throw new CliError(`cannot reach ${options.url}: ${(error as Error).message}`);
  }
  if (!response.ok || response.body === null)
    throw new CliError(`GET ${path}: ${response.status} ${await response.text()}`);
  const parser = new SseParser();
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body) {
      for (const event of parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }))) onEvent(event);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
