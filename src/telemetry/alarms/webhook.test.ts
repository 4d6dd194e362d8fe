import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { AlarmBook, type AlarmEvent } from "./book.ts";
import { WebhookNotifier, type WebhookPayload } from "./webhook.ts";

/** A receiver answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]) {
  const bodies: WebhookPayload[] = [];
  const times: number[] = [];
  let calls = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      times.push(performance.now());
      bodies.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as WebhookPayload);
      response.writeHead(statuses[Math.min(calls, statuses.length - 1)]!).end();
      calls++;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    times,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function raiseLeak(book: AlarmBook): void {
  book.raise({
    key: "leak",
    source: "leak-detector",
    kind: "state",
    severity: "critical",
    title: "Leak detected",
    message: "moisture under CDU",
    equipment: "cdu:h2-r08-01",
    at: Date.now(),
  });
}

describe("webhook notifications", () => {
  it("retries with backoff when the receiver fails twice, then delivers once", async () => {
    const hook = await receiver([500, 503, 200]);
    const failures: string[] = [];
    const notifier = new WebhookNotifier(
      [{ url: hook.url }],
      { attempts: 5, baseDelayMs: 40, maxDelayMs: 1000, timeoutMs: 2000 },
      (_url, problem) => failures.push(problem),
    );
    const book = new AlarmBook();
    book.onEvent((event) => notifier.notify(event));
    try {
      raiseLeak(book);
      await waitFor(() => notifier.counts.delivered === 1);
      assert.equal(hook.bodies.length, 3);
      assert.deepEqual(notifier.counts, { delivered: 1, retried: 2, failed: 0 });
      const body = hook.bodies[2]!;
      assert.equal(body.type, "raised");
      assert.equal(body.alarm.equipment, "cdu:h2-r08-01");
      assert.equal(body.alarm.severity, "critical");
      // Backoff: the second retry waits at least about twice as long as the first (jitter keeps each in [d/2, d]).
      assert.ok(hook.times[1]! - hook.times[0]! >= 15);
      assert.ok(hook.times[2]! - hook.times[1]! >= 35);
      assert.deepEqual(failures, []);
    } finally {
      await notifier.close();
      await hook.close();
    }
  });

  it("gives up at once on 4xx, skips shelved alarms and low severities", async () => {
    const hook = await receiver([400]);
    const failures: string[] = [];
    const notifier = new WebhookNotifier(
      [{ url: hook.url, minimumSeverity: "critical" }],
      { attempts: 5, baseDelayMs: 10, maxDelayMs: 100, timeoutMs: 2000 },
      (_url, problem) => failures.push(problem),
    );
    try {
      const base = {
        id: "a",
        key: "k",
        source: "s",
        kind: "state",
        title: "t",
        message: "m",
        location: {},
        rows: [],
        state: "active",
        raisedAt: 0,
        updatedAt: 0,
        occurrences: 1,
      } as const;
      notifier.notify({ type: "raised", at: 10, alarm: { ...base, severity: "warning" } } satisfies AlarmEvent);
      notifier.notify({
        type: "raised",
        at: 10,
        alarm: { ...base, severity: "critical", shelved: { by: "camille", at: 0, until: 100 } },
      });
      notifier.notify({ type: "raised", at: 10, alarm: { ...base, severity: "critical" } });
      await waitFor(() => notifier.counts.failed === 1);
      assert.equal(hook.bodies.length, 1);
      assert.match(failures[0]!, /HTTP 400 \(attempt 1 of 5, giving up\)/);
    } finally {
      await notifier.close();
      await hook.close();
    }
  });

  it("does not announce a rename as a new alarm: a renamed event goes only to hooks that list it", async () => {
    const plain = await receiver([200]);
    const listing = await receiver([200]);
    const notifier = new WebhookNotifier([{ url: plain.url }, { url: listing.url, events: ["renamed"] }]);
    const book = new AlarmBook();
    book.onEvent((event) => notifier.notify(event));
    try {
      raiseLeak(book);
      const moved = book.rekey(
        new Map([["leak", { key: "leak", equipment: "cdu:h2-r07-01", location: {}, rows: [] }]]),
        Date.now(),
      );
      assert.ok(moved.ok);
      await waitFor(() => notifier.counts.delivered === 2);
      await notifier.close();
      assert.deepEqual(
        plain.bodies.map((body) => body.type),
        ["raised"],
      );
      assert.deepEqual(
        listing.bodies.map((body) => [body.type, body.alarm.equipment]),
        [["renamed", "cdu:h2-r07-01"]],
      );
    } finally {
      await notifier.close();
      await plain.close();
      await listing.close();
    }
  });
});
