/**
 * Serves the built web console (web/dist) at `/`: hashed assets with long caching, index.html for every other
 * non-API GET so the console's paths (`/floor`, `/racks/rack:h1-r001-01`) load directly, and a plain page saying how
 * to build it when web/dist is missing. The routes are public (the console signs in with an API key it sends on
 * each API call); API paths never fall back to index.html.
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { RouteModule } from "../app.ts";

/** Where `npx vite build --config web/vite.config.ts` writes the console. */
export const defaultConsoleDirectory = fileURLToPath(new URL("../../../web/dist", import.meta.url));

/** Paths that belong to the API or its documentation: never answered with the console. */
const apiPrefixes = [
  "/v1/",
  "/v1",
  "/docs",
  "/openapi.json",
  "/health",
  "/ready",
  "/metrics",
  // The telemetry receivers' paths (InfluxDB /write and /api/v2/write, Prometheus /api/v1/write): a GET there is a
  // collector misconfigured, answered 404 as an API path rather than with the console page.
  "/write",
  "/api/",
];

function isApiPath(path: string): boolean {
  return apiPrefixes.some((prefix) => path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`));
}

const notBuiltPage = (directory: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>alixan console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>The web console is not built</h1>
<p>The API is running (<a href="/docs">/docs</a>), but there is no console in <code>${directory.replace(/[<>&]/g, "")}</code>.</p>
<p>Build it with <code>npx vite build --config web/vite.config.ts</code>, then reload this page.</p>
</body></html>
`;

/** The file under `root` a URL path names, if it exists and stays inside `root`. */
function fileUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const target = resolve(root, `.${decoded}`);
  const inside = relative(root, target);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return undefined;
  try {
    return statSync(target).isFile() ? inside : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The console's content policy: its own scripts, styles, workers and API only. Images may be `data:` (the favicon
 * is an inline SVG); styles set from script (React `style` props, uPlot) go through the CSSOM, which `style-src
 * 'self'` allows, so no `'unsafe-inline'` is needed. No framing, no plugins, no `<base>`, forms post nowhere else.
 */
export const consoleContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Headers of every console answer (the page, its assets, the not-built page). */
const consoleHeaders: Readonly<Record<string, string>> = {
  "content-security-policy": consoleContentSecurityPolicy,
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/** Source maps would publish the console's sources: never served, even if a build left some in web/dist. */
const sourceMap = /\.map$/i;

/** Routes serving the console from `distDirectory` (default web/dist). */
export function consoleRoutes(distDirectory: string = defaultConsoleDirectory): RouteModule {
  const root = resolve(distDirectory);
  return (app: FastifyInstance) => {
    app.register(async (scope) => {
      // Decorates reply.sendFile only; the route below decides what each path gets.
      await scope.register(fastifyStatic, { root, serve: false });
      scope.addHook("onSend", async (request, reply, payload) => {
        // API paths that land here are 404 problems: they keep the API's headers.
        if (isApiPath(request.url.split("?")[0] ?? "/")) return payload;
        for (const [name, value] of Object.entries(consoleHeaders))
          if (!reply.hasHeader(name)) reply.header(name, value);
        return payload;
      });

      const sendIndex = (reply: FastifyReply) => {
        if (!existsSync(join(root, "index.html"))) {
          return (
            reply
              .status(503)
              .type("text/html; charset=utf-8")
              .header("cache-control", "no-store")
              // A static page with one inline style and no script: nothing else may load or run.
              .header(
                "content-security-policy",
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
              )
              .send(notBuiltPage(root))
          );
        }
        // index.html names the hashed assets of the current build: never cache it.
        return reply.header("cache-control", "no-cache").sendFile("index.html", root, { cacheControl: false });
      };

      scope.get("/*", { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
        const path = request.url.split("?")[0] ?? "/";
        if (isApiPath(path)) return reply.callNotFound();
        const file = path === "/" ? undefined : fileUnder(root, path);
        // Tested on the decoded file name, so `%2Emap` finds no way around it.
        if (sourceMap.test(path) || (file !== undefined && sourceMap.test(file))) return reply.callNotFound();
        if (file !== undefined) {
          const hashed = file.startsWith("assets/");
          return reply.sendFile(file, root, hashed ? { maxAge: "365d", immutable: true } : { maxAge: 0 });
        }
        // A missing asset is a 404, not the console page (a stale tab asking for an old build's file).
        if (path.startsWith("/assets/")) return reply.callNotFound();
        return sendIndex(reply);
      });
    });
  };
}
