import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import {
  type LoadedScenario,
  parseScenario,
  resolveScenario,
  scenarioWindowWarnings,
  shippedScenarios,
} from "./scenario.ts";
import { formatDuration, parseDuration } from "./time.ts";

const lab = loadSite("lab");
const site = lab.site!;

/** The scenario `text` loaded for the lab, which must load. */
function loaded(text: string): LoadedScenario {
  const outcome = parseScenario(text, "s.yaml", site, lab.file);
  assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
  return outcome.value;
}

function scenarioError(text: string): string {
  const outcome = parseScenario(text, "s.yaml", site, lab.file);
  assert.equal(outcome.ok, false, "expected an error");
  return outcome.ok ? "" : outcome.error;
}

describe("durations", () => {
  it("reads seconds and unit pairs", () => {
    assert.deepEqual(parseDuration("60s", "--step"), { ok: true, value: 60 });
    assert.deepEqual(parseDuration("1y", "--duration"), { ok: true, value: 31_536_000 });
    assert.deepEqual(parseDuration("2d14h30m", "at"), { ok: true, value: 2 * 86_400 + 14 * 3_600 + 1_800 });
    assert.deepEqual(parseDuration("3600", "at"), { ok: true, value: 3_600 });
    assert.deepEqual(parseDuration(90, "at"), { ok: true, value: 90 });
    assert.equal(formatDuration(93_784), "1d2h3m4s");
  });

  it("names the option and the problem", () => {
    assert.deepEqual(parseDuration("7x", "--duration"), {
      ok: false,
      error: '--duration: "7x" is not a duration (use seconds or a number with s, m, h, d, w or y: 60s, 1y)',
    });
    assert.equal(parseDuration("", "--step").ok, false);
    assert.equal(parseDuration(-1, "at").ok, false);
  });
});

describe("scenario files", () => {
  it("compiles failures, set-points, fouling, adiabatic, occupancy and a heat wave", () => {
    const outcome = parseScenario(
      [
        "name: busy day",
        "events:",
        "  - { at: 1d, fail: cdu:h1-r01-01 }",
        "  - { at: 1d2h, repair: cdu:h1-r01-01 }",
        "  - { at: 0, setpoint: { waterClass: W32 } }",
        "  - { at: 2d, fouling: { approachIncreaseK: 2 } }",
        "  - { at: 0, adiabatic: { enabled: true, plant: plant:lab } }",
        "  - { at: 0, occupancy: { from: 0.5, to: 1, until: 30d, rackType: hgx } }",
        "  - { at: 200d, heatWave: { days: 3 } }",
        "  - { at: 3d, fail: drycooler:lab-* }",
      ].join("\n"),
      "s.yaml",
      site,
      lab.file,
    );
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
    const { scenario } = outcome.value;
    assert.equal(scenario.name, "busy day");
    assert.deepEqual(
      scenario.events.map((event) => event.kind),
      ["setpoint", "adiabatic", "unit", "unit", "fouling", "unit", "unit", "unit"],
    );
    const setpoint = scenario.events[0]!;
    assert.ok(setpoint.kind === "setpoint" && setpoint.fwsSupplyC === 32 && setpoint.classLimitC === 32);
    assert.equal(scenario.ramps.length, 1);
    assert.equal(scenario.ramps[0]!.segments.length, 2, "the two HGX rows");
    assert.deepEqual(scenario.heatWaves, [{ startS: 200 * 86_400, days: 3, peakC: 40, nightMinimumC: 24 }]);
  });

  it("reports an unknown action with a suggestion and its line", () => {
    assert.equal(
      scenarioError("events:\n  - { at: 1d, fial: cdu:h1-r01-01 }\n"),
      's.yaml:2: events[0].fial: unknown field "fial" (did you mean "fail"?)',
    );
  });

  it("reports an unknown unit, a bad time, a bad field and an impossible repair", () => {
    assert.match(
      scenarioError("events:\n  - at: 1d\n    fail: cdu:h1-r09-01\n"),
      /^s\.yaml:3: events\[0\]\.fail: no CDU, pump \(facility water or air side\), dry cooler, chiller or hall air handler \(CRAH\) of the site matches "cdu:h1-r09-01" \(did you mean "cdu:h1-r01-01"\?\)$/,
    );
    assert.equal(
      scenarioError("events:\n  - { at: soon, fail: cdu:h1-r01-01 }\n"),
      's.yaml:2: events[0].at: "soon" is not a duration (use seconds or a number with s, m, h, d, w or y: 60s, 1y)',
    );
    assert.equal(
      scenarioError("events:\n  - { at: 0, fouling: { approachIncreaseK: hot } }\n"),
      's.yaml:2: events[0].fouling.approachIncreaseK: expected a number, got "hot"',
    );
    assert.equal(
      scenarioError("events:\n  - { at: 0, repair: cdu:h1-r01-01 }\n"),
      "s.yaml:2: events[0].repair: cdu:h1-r01-01 is not failed at 0 s",
    );
    assert.equal(
      scenarioError("events:\n  - { at: 0, setpoint: { waterClass: W45, fwsSupplyC: 50 } }\n"),
      "s.yaml:2: events[0].setpoint.fwsSupplyC: 50 °C exceeds the W45 limit of 45 °C",
    );
    assert.equal(
      scenarioError("events: [1"),
      "s.yaml:1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    );
    assert.equal(scenarioError("evnts: []\n"), 's.yaml:1: evnts: unknown field "evnts" (did you mean "events"?)');
  });

  it("fails and repairs hall air handlers (by hall) and air-side pumps (by plant), and names unknown ones", () => {
    const { scenario } = loaded(
      "events:\n  - { at: 1h, fail: [crah:h2-*, pump:lab-air-01] }\n  - { at: 2h, repair: crah:h2-02 }\n",
    );
    const units = scenario.events.map((event) =>
      event.kind === "unit" ? `${event.unit} ${event.index} ${event.delta}` : event.kind,
    );
    assert.deepEqual(units, ["crah 1 -1", "crah 1 -1", "airPump 0 -1", "crah 1 1"]);
    const kinds =
      "no CDU, pump (facility water or air side), dry cooler, chiller or hall air handler (CRAH) of the site";
    assert.equal(
      scenarioError("events:\n  - at: 1h\n    fail: crah:h3-01\n"),
      `s.yaml:3: events[0].fail: ${kinds} matches "crah:h3-01" (did you mean "crah:h1-01"?)`,
    );
    assert.equal(
      scenarioError("events:\n  - { at: 1h, fail: [pump:lab-air-01, pump:lab-air-07] }\n"),
      `s.yaml:2: events[0].fail[1]: ${kinds} matches "pump:lab-air-07" (did you mean "pump:lab-air-01"?)`,
    );
  });

  it("checks the shape against the schema first and reports every shape problem, each at its line", () => {
    assert.equal(
      scenarioError(
        [
          "name: broken",
          "events:",
          "  - { at: 1d, occupancy: { from: 1.5 } }",
          "  - { at: 2d, adiabatic: { enabled: yes please } }",
          "  - { at: 3d, coolantLimit: { maxCoolantSupplyC: 50, rack: hgx } }",
          "",
        ].join("\n"),
      ),
      [
        "s.yaml:3: events[0].occupancy.from: must be at most 1, got 1.5",
        's.yaml:4: events[1].adiabatic.enabled: expected true or false, got "yes please"',
        's.yaml:5: events[2].coolantLimit.rack: unknown field "rack" (expected one of rackType, maxCoolantSupplyC)',
      ].join("\n"),
    );
  });

  it("needs exactly one action per event and a nightly minimum under the peak", () => {
    assert.equal(
      scenarioError("events:\n  - { at: 1d, fail: cdu:h1-r01-01, repair: cdu:h1-r01-01 }\n"),
      "s.yaml:2: events[0]: needs exactly one action (fail, repair, restartRacks, setpoint, fouling, adiabatic, coolantLimit, occupancy, heatWave, moreRacks), found fail and repair",
    );
    assert.match(
      scenarioError("events:\n  - { at: 1d }\n"),
      /^s\.yaml:2: events\[0\]: needs exactly one action .*, found none$/,
    );
    assert.equal(
      scenarioError("events:\n  - { at: 1d, heatWave: { peakC: 30, nightMinimumC: 35 } }\n"),
      "s.yaml:2: events[0].heatWave.nightMinimumC: 35 °C is above the peak (30 °C)",
    );
  });

  it("reads a heat wave left empty as the defaults (4 days, 40 °C, 24 °C at night)", () => {
    for (const text of ["events:\n  - at: 10d\n    heatWave:\n", "events:\n  - { at: 10d, heatWave: {} }\n"]) {
      const outcome = parseScenario(text, "s.yaml", site, lab.file);
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
      assert.deepEqual(outcome.value.scenario.heatWaves, [{ startS: 864_000, days: 4, peakC: 40, nightMinimumC: 24 }]);
    }
  });

  it("adds racks by re-expanding the site with rows appended to a hall", () => {
    const grown = loaded(
      "events:\n  - { at: 1d, moreRacks: { hall: hall:h2, rows: [{ pattern: gpu-row, racks: [{ type: hgx, count: 6 }] }] } }\n",
    );
    assert.equal(grown.site.racks.length, site.racks.length + 6);
    const ramp = grown.scenario.ramps[0]!;
    assert.deepEqual(
      { ...ramp, segments: [...ramp.segments] },
      { startS: 86_400, endS: 86_400, from: 0, to: 1, segments: [5] },
    );
    assert.match(
      scenarioError("events:\n  - { at: 1d, moreRacks: { hall: hall:h3, rows: [{ pattern: gpu-row }] } }\n"),
      /^s\.yaml:2: events\[0\]\.moreRacks\.hall: unknown hall "hall:h3" \(did you mean "hall:h1"\?\)$/,
    );
    assert.match(
      scenarioError("events:\n  - { at: 1d, moreRacks: { hall: hall:h1, rows: [{ pattern: big-row }] } }\n"),
      /^s\.yaml:2: events\[0\]\.moreRacks\.rows: site does not expand: unknown row pattern "big-row"/,
    );
    // Added rows are checked by the site file's own row-entry schema.
    assert.match(
      scenarioError("events:\n  - { at: 1d, moreRacks: { hall: hall:h1, rows: [{ pattern: gpu-row, cuont: 2 }] } }\n"),
      /^s\.yaml:2: events\[0\]\.moreRacks\.rows\[0\]\.cuont: unknown field "cuont" \(did you mean "count"\?\)$/,
    );
  });

  it("ships scenarios that load against the Alixan site", () => {
    const alixan = loadSite("alixan");
    for (const name of shippedScenarios) {
      const path = resolveScenario(name)!;
      const outcome = parseScenario(readFileSync(path, "utf8"), path, alixan.site!, alixan.file);
      assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
      assert.ok(outcome.value.scenario.events.length > 0 || outcome.value.scenario.heatWaves.length > 0, name);
    }
    assert.equal(resolveScenario("no-such-scenario"), undefined);
  });
});

describe("scenario times against the run window", () => {
  const day = 86_400;
  const scenario = (text: string) => {
    const outcome = parseScenario(text, "s.yaml", site, lab.file);
    assert.ok(outcome.ok, outcome.ok ? "" : outcome.error);
    return outcome.value.scenario;
  };
  const events = scenario(
    [
      "events:",
      "  - { at: 1d, heatWave: { days: 4, peakC: 45, nightMinimumC: 28 } }",
      "  - { at: 1h, fail: pump:lab-fws-01 }",
      "  - { at: 300d, repair: pump:lab-fws-01 }",
    ].join("\n"),
  );

  it("says which changes fall before or after a run that starts later in the year", () => {
    const warnings = scenarioWindowWarnings(events, 196 * day, 202 * day);
    assert.equal(warnings.length, 3, warnings.join("\n"));
    assert.match(
      warnings[0]!,
      /^1 change\(s\) dated before the run starts apply from its first step: the run covers at 196d to 202d/,
    );
    assert.match(warnings[1]!, /^1 change\(s\) dated after the run ends never happen/);
    assert.match(warnings[2]!, /^the heat wave at 1d to 5d lies outside the run: no effect/);
  });

  it("is silent when every change falls inside the run", () => {
    assert.deepEqual(scenarioWindowWarnings(events, 0, 365 * day), []);
  });

  it("names a scenario without a name after its file", () => {
    assert.equal(events.name, "s");
    const named = parseScenario("name: Pump trip\nevents: []\n", "dir/trip.yaml", site, lab.file);
    assert.ok(named.ok);
    assert.equal(named.value.scenario.name, "Pump trip");
  });
});
