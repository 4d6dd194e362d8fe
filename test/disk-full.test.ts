/**
 * Resilience: a real full disk (a 16 MiB tmpfs mounted by the test, as root) makes ingest answer "not stored", and
 * ingest resumes by itself once space is freed — no restart — with the log still replaying consistently afterwards
 * (series first seen in the refused batch are logged with the next accepted one). Skipped when tmpfs cannot be
 * mounted (not root, or no mount permission in the container).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TelemetryService } from "../src/telemetry/service.ts";

const mountPoint = mkdtempSync(join(tmpdir(), "alixan-disk-full-"));
let mounted = false;

before(() => {
  const result = spawnSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", mountPoint], { encoding: "utf8" });
  mounted = result.status === 0;
});
after(() => {
  if (mounted) spawnSync("umount", [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Fills the file system with one file until it is full; returns its path. */
function fill(directory: string): string {
  const path = join(directory, "filler");
  const descriptor = openSync(path, "w");
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(descriptor, chunk);
  } catch (cause) {
    assert.equal((cause as NodeJS.ErrnoException).code, "ENOSPC");
  } finally {
    closeSync(descriptor);
  }
  return path;
}

describe("ingest on a full disk", () => {
  it("refuses while full, resumes by itself when space is freed, and replays consistently", async (t) => {
    if (!mounted) {
      t.skip("cannot mount a tmpfs here (needs root): the disk-full test runs in CI as root");
      return;
    }
    const directory = join(mountPoint, "telemetry");
    mkdirSync(directory);
    const now = Date.now();
    const open = async () => {
      const opened = await TelemetryService.open({
        dataDirectory: directory,
        flushIntervalMs: 3_600_000,
        onProblem: () => {},
      });
      assert.ok(opened.ok, opened.ok ? "" : opened.problem);
      return opened.value;
    };
    let service = await open();
    const first = await service.ingestInflux(`before value=1 ${now - 3000}`, "ms");
    assert.equal(first.accepted, 1);
    const filler = fill(mountPoint);
    const lines = Array.from({ length: 2000 }, (_, i) => `during_${i},equipment=x value=${i} ${now - 2000}`).join("\n");
    const refused = await service.ingestInflux(lines, "ms");
    assert.equal(refused.accepted, 0);
    assert.match(refused.rejected.at(-1)!.problem, /not stored, retry later/);
    const stillRefused = await service.ingestInflux(`again value=1 ${now - 1500}`, "ms");
    assert.equal(stillRefused.accepted, 0, "still full: still refused");
    rmSync(filler);
    const resumed = await service.ingestInflux(`${lines}\nafter value=2 ${now - 1000}`, "ms");
    assert.equal(resumed.accepted, 2001, "space freed: accepted without a restart");
    await service.close();
    service = await open();
    try {
      const during = service.series({ names: ["during_1999"] });
      assert.equal(during.length, 1);
      const history = await service.query({
        selector: { names: ["during_1999", "after", "before"] },
        from: now - 10_000,
        to: now,
      });
      assert.ok(history.ok, history.ok ? "" : history.problem);
      const values = Object.fromEntries(history.value.frames.map((frame) => [frame.name, frame.values]));
      assert.deepEqual(values, { before: [1], 'during_1999{equipment="x"}': [1999], after: [2] });
    } finally {
      await service.close();
    }
  });
});
