/**
 * The shared device loop's safety catch: a reader that throws while making its readings (a decoding bug, a
 * register map or MIB the code did not foresee) and even while resetting fails that attempt of that device only,
 * names the problem in its status and `up`, backs off, and leaves the other devices' loops running.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AlarmBook } from "../alarms/book.ts";
import { builtInRules, RuleEngine } from "../alarms/rules.ts";
import { HotStore } from "../hot-store.ts";
import type { SampleBuffer } from "../samples.ts";
import { SeriesRegistry } from "../series.ts";
import { DevicePoller, type DeviceReader, type PolledDevice } from "./device-poller.ts";

const device = (name: string): PolledDevice => ({
  name,
  labels: {},
  intervalMs: 20,
  staleAfterMs: 60_000,
  maxBackoffMs: 40,
});

describe("device loop safety catch", () => {
  it("keeps polling both devices when one's reader throws while reading and while resetting", async () => {
    const registry = new SeriesRegistry({});
    const up = new Map<string, number[]>();
    const sink = async (samples: SampleBuffer) => {
      for (let i = 0; i < samples.count; i++) {
        const info = registry.info(samples.series[i]!)!;
        if (info.name !== "up") continue;
        const instance = info.labels["instance"]!;
        up.set(instance, [...(up.get(instance) ?? []), samples.values[i]!]);
      }
      return undefined;
    };
    let goodReads = 0;
    let badReads = 0;
    const good: DeviceReader = {
      read: async () => {
        goodReads++;
        return [{ metric: "cdu_pump_state", labels: {}, value: 1 }];
      },
      reset: () => undefined,
    };
    const bad: DeviceReader = {
      // Thrown synchronously, as a decoding bug in a reader's loop would be, not as a rejected promise.
      read: () => {
        badReads++;
        throw new TypeError("Cannot read properties of undefined (reading 'length')");
      },
      reset: () => {
        throw new Error("socket already destroyed");
      },
    };
    const intern = (name: string, labels: Record<string, string>) => registry.intern(name, labels);
    const book = new AlarmBook({});
    const pollers = [
      new DevicePoller(
        { device: device("good"), job: "modbus", endpoint: "10.0.0.1:502", reader: good },
        intern,
        sink,
        book,
        Date.now,
      ),
      new DevicePoller(
        { device: device("bad"), job: "modbus", endpoint: "10.0.0.2:502", reader: bad },
        intern,
        sink,
        book,
        Date.now,
      ),
    ];
    for (const poller of pollers) poller.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    for (const poller of pollers) await poller.stop();

    const [goodPoller, badPoller] = pollers;
    assert.ok(goodReads >= 5, `the good device kept being polled (${goodReads} reads)`);
    assert.equal(goodPoller!.status?.ok, true);
    const status = badPoller!.status;
    assert.ok(status !== undefined, "the failing device has a status");
    assert.equal(status.ok, false);
    assert.deepEqual(status.problems, [
      "10.0.0.2:502: Cannot read properties of undefined (reading 'length')",
      "10.0.0.2:502: reset failed: socket already destroyed",
    ]);
    assert.ok(status.consecutiveFailures >= 2, `the failing device was retried (${status.consecutiveFailures})`);
    // Backed off (20, then 40 ms), not retried in a tight loop.
    assert.ok(badReads >= 2 && badReads <= 15, `${badReads} attempts in 400 ms`);
    assert.ok(status.nextAttemptAt - status.at >= 20);
    assert.ok((up.get("bad") ?? []).length >= 2 && up.get("bad")!.every((value) => value === 0));
    assert.ok(up.get("good")!.every((value) => value === 1));
  });
});

describe("device loop decode health", () => {
  it("counts points an answering device gives that cannot be decoded, and alarms when none could be", async () => {
    const registry = new SeriesRegistry({});
    const book = new AlarmBook({});
    const engine = new RuleEngine(builtInRules, { registry, hot: new HotStore(8), book }, 0);
    const last = new Map<string, number>();
    const sink = async (samples: SampleBuffer) => {
      for (let i = 0; i < samples.count; i++) last.set(registry.info(samples.series[i]!)!.key, samples.values[i]!);
      engine.evaluate(samples.series, samples.timestamps, samples.values, samples.count);
      return undefined;
    };
    // A gateway that answers every request, but with words no point of the register map decodes.
    let good = 0;
    const reader: DeviceReader = {
      read: async (problems) => {
        problems.push("input 0 (cdu_supply_temperature_celsius): not decoded: NaN", "holding 0 (cdu_pump_state): x");
        return Array.from({ length: good }, () => ({
          metric: "cdu_return_temperature_celsius",
          labels: {},
          value: 40,
        }));
      },
      reset: () => undefined,
    };
    let now = 1_000;
    const poller = new DevicePoller(
      { device: { ...device("cdu-1"), equipment: "cdu:h1-r01-01" }, job: "modbus", endpoint: "10.0.0.3:502", reader },
      (name, labels) => registry.intern(name, labels),
      sink,
      book,
      () => now,
    );
    const status = await poller.poll();
    assert.equal(status.ok, true, "the device answers");
    assert.equal(status.decodeErrors, 2);
    const key = (name: string) => `${name}{equipment="cdu:h1-r01-01",instance="cdu-1",job="modbus"}`;
    assert.equal(last.get(key("up")), 1);
    assert.equal(last.get(key("decode_errors")), 2);
    assert.equal(last.get(key("decode_ok")), 0);
    const raised = book.list().filter((alarm) => alarm.key.startsWith("target-undecodable|"));
    assert.equal(raised.length, 1, JSON.stringify(book.list()));
    assert.equal(raised[0]!.equipment, "cdu:h1-r01-01");

    good = 1;
    now = 2_000;
    await poller.poll();
    assert.equal(last.get(key("decode_ok")), 1);
    assert.equal(book.list().filter((alarm) => alarm.key.startsWith("target-undecodable|")).length, 0, "cleared");
  });
});
