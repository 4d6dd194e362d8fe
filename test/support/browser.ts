/**
 * The platform and Debian's Chromium for browser tests: builds the console when its sources changed, starts the whole
 * platform in-process on a site, launches Chromium through playwright-core, and opens pages that record browser
 * console errors (a test fails on any it did not expect). Screenshots go to test-output/browser/.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach } from "node:test";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { type ComposedApp, composeApp } from "../../src/app/compose.ts";
import { defaultFeatures } from "../../src/app/features/index.ts";
import type { DemoKey } from "../../src/app/seed.ts";
import type { UsagePrices } from "../../src/app/usage/prices.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const webDirectory = join(root, "web");
const distDirectory = join(webDirectory, "dist");
/** Where screenshots go. */
export const outputDirectory = join(root, "test-output", "browser");
const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
/** axe-core's browser bundle, injected into pages for accessibility audits. */
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource: string | undefined;
/** The viewport of every page. */
export const viewport = { width: 1366, height: 768 };

function newestSource(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === "dist" || entry === "node_modules") continue;
    newest = Math.max(newest, newestSource(join(path, entry)));
  }
  return newest;
}

/** Builds web/dist when it is missing or older than a source file. */
export function ensureConsoleBuilt(): void {
  const index = join(distDirectory, "index.html");
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource(webDirectory)) return;
  const vite = join(root, "node_modules", "vite", "bin", "vite.js");
  const result = spawnSync(process.execPath, [vite, "build", "--config", join(webDirectory, "vite.config.ts")], {
    cwd: root,
    encoding: "utf8",
    timeout: 180_000,
  });
  assert.equal(result.status, 0, `vite build failed:\n${result.stdout}\n${result.stderr}`);
}

/** A running platform with a browser. */
export class BrowserHarness {
  app!: ComposedApp;
  baseUrl = "";
  browser!: Browser;
  readonly #contexts: BrowserContext[] = [];
  #dataDirectory: string | undefined;
  /** Console errors of the running test; `allowed` lists those a step expects. */
  readonly consoleErrors: string[] = [];
  allowed: RegExp[] = [];

  /**
   * Starts the platform on `site` (its clock `speed` times real time, default 1; usage prices if given; the demo load
   * as `demoLoad`, 0 for none, when given) and Chromium.
   */
  async start(
    site: string,
    options: { speed?: number; usagePrices?: UsagePrices; demoLoad?: number } = {},
  ): Promise<void> {
    assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium`);
    mkdirSync(outputDirectory, { recursive: true });
    ensureConsoleBuilt();
    this.#dataDirectory = mkdtempSync(join(tmpdir(), "alixan-browser-"));
    this.app = await composeApp({
      site,
      store: { kind: "pglite", dataDir: this.#dataDirectory },
      seed: true,
      features: defaultFeatures({
        telemetryInMemory: true,
        ...(options.speed === undefined ? {} : { speed: options.speed }),
        ...(options.usagePrices === undefined ? {} : { usagePrices: options.usagePrices }),
        ...(options.demoLoad === undefined ? {} : { demoLoad: options.demoLoad }),
      }),
    });
    this.baseUrl = await this.app.server.listen({ port: 0, host: "127.0.0.1" });
    this.browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  }

  /** Closes pages, Chromium and the platform, and removes the data directory. */
  async stop(): Promise<void> {
    for (const context of this.#contexts) await context.close().catch(() => undefined);
    await this.browser?.close();
    await this.app?.close();
    if (this.#dataDirectory !== undefined) {
      rmSync(this.#dataDirectory, { recursive: true, force: true });
      rmSync(`${this.#dataDirectory}.audit`, { recursive: true, force: true });
    }
  }

  /** The console errors since the last call (and forgets the allowances). */
  takeErrors(): string[] {
    this.allowed = [];
    return this.consoleErrors.splice(0);
  }

  /** A demo key by role (and email). */
  key(role: DemoKey["role"], email?: string): DemoKey {
    const key = this.app.demoKeys?.find(
      (candidate) => candidate.role === role && (email === undefined || candidate.email === email),
    );
    assert.ok(key, `no demo key for ${role}${email === undefined ? "" : ` ${email}`}`);
    return key;
  }

  /** The token of the demo key of the user with `email`. */
  keyOf(email: string): string {
    const key = this.app.demoKeys?.find((candidate) => candidate.email === email);
    assert.ok(key, `no demo key for ${email}`);
    return key.token;
  }

  /** Calls the API from the test, not the browser, and returns the answer whatever its status. */
  async request(
    token: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown; headers: Headers; text: string }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    // A refusal from a proxy or a crash may not be JSON: keep its text so the failing assertion can show it.
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers, text };
  }

  /** Calls the API from the test, not the browser; fails the test unless it succeeds. */
  async api<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request(token, method, path, body);
    assert.ok(
      answer.status >= 200 && answer.status < 300,
      `${method} ${path} answered ${answer.status}: ${answer.text}`,
    );
    return answer.body as T;
  }

  /** A new page (own context) that records console errors. */
  async openPage(): Promise<Page> {
    const context = await this.browser.newContext({ viewport, deviceScaleFactor: 1 });
    await context.addInitScript("globalThis.__name = (target) => target;");
    this.#contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on("console", (message) => {
      if (message.type() !== "error") return;
      const text = `${message.text()} (${message.location().url})`;
      if (!this.allowed.some((pattern) => pattern.test(text))) this.consoleErrors.push(text);
    });
    page.on("pageerror", (error) => this.consoleErrors.push(`uncaught: ${error.message}`));
    return page;
  }

  /** Opens the console at `path` signed in with a key. */
  async signIn(page: Page, key: Pick<DemoKey, "token">, path = "/"): Promise<void> {
    await page.goto(`${this.baseUrl}/`);
    await page.getByLabel("API key").fill(key.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("navigation", { name: "Main" }).waitFor();
    if (path !== "/") {
      // The key stays in session storage: a fresh load of the path opens signed in.
      await page.goto(`${this.baseUrl}${path}`);
      await page.getByRole("navigation", { name: "Main" }).waitFor();
    }
  }

  /**
   * Runs axe-core (WCAG 2.1 A and AA rules) in the page and returns its serious and critical violations, one line
   * each with the rule, the impact and the first elements it found.
   */
  async audit(page: Page): Promise<string[]> {
    // Evaluated through the DevTools protocol, not a <script> tag: the console's Content-Security-Policy stays on.
    axeSource ??= readFileSync(axePath, "utf8");
    await page.evaluate(axeSource);
    const violations = (await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<unknown> } }).axe;
      const result = (await axe.run((globalThis as unknown as { document: unknown }).document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        resultTypes: ["violations"],
      })) as { violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
      return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        targets: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
      }));
    })) as { id: string; impact: string; help: string; targets: string[] }[];
    return violations
      .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
      .map(
        (violation) => `${violation.id} (${violation.impact}): ${violation.help} at ${violation.targets.join(", ")}`,
      );
  }

  /** A full-page screenshot named `name`. */
  async screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(outputDirectory, `${name}.png`), fullPage: true });
  }
}

/**
 * Registers in the calling suite what every browser suite needs: after each test, no browser console error it did
 * not expect; after the last, the platform and Chromium stopped.
 */
export function checkEachTestAndStop(harness: BrowserHarness): void {
  afterEach(() => {
    const errors = harness.takeErrors();
    assert.deepEqual(errors, [], `browser console errors:\n${errors.join("\n")}`);
  });
  after(async () => {
    await harness.stop();
  });
}
