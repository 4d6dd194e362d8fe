import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type EsifCut, esifExtract } from "../../test/support/esif.ts";
import {
  type HistoryFile,
  historyBetween,
  parseColumnMapping,
  parsePeriodBound,
  parseTime,
  readLoopHistory,
} from "./history.ts";

const fixture = (name: EsifCut): HistoryFile => ({ name, text: esifExtract(name) });

function unwrap<Value>(outcome: { ok: true; value: Value } | { ok: false; error: string }): Value {
  if (!outcome.ok) assert.fail(outcome.error);
  return outcome.value;
}

function errorOf(outcome: { ok: true } | { ok: false; error: string }): string {
  if (outcome.ok) assert.fail("expected an error");
  return outcome.error;
}

const mapping = { time: "Timestamp", supply: "Tin", return: "Tout", heat: "Q" };

describe("loop history readers", () => {
  it("reads an ESIF extract with four-digit years and drops the logger's fault row for either loop", () => {
    const liquid = unwrap(readLoopHistory([fixture("esif-2016-09-11.csv")], "nrel-esif", "liquid"));
    assert.equal(liquid.rows, 2877);
    // 09/12/2016 15:19 reads −18.33 °C on the air side: the row is the logger's fault, for the liquid loop too.
    assert.equal(liquid.dropped.implausible, 1);
    assert.equal(liquid.timeS.length, 2877 - 1 - liquid.dropped.duplicateTime);
    assert.equal(liquid.timeS[0], Date.UTC(2016, 8, 11) / 1000);
    assert.equal(liquid.supplyC[0], 23.67);
    assert.ok(liquid.hasTotal);
    // Total heat = air + liquid in the same row.
    assert.ok(Math.abs(liquid.totalKw[0]! - liquid.heatKw[0]! - 157.3) < 1e-9);
    const air = unwrap(readLoopHistory([fixture("esif-2016-09-11.csv")], "nrel-esif", "air"));
    assert.equal(air.dropped.implausible, 1);
    assert.ok(air.returnC[0]! - air.supplyC[0]! > 5 && air.returnC[0]! - air.supplyC[0]! < 15);
    for (let index = 1; index < air.timeS.length; index++) assert.ok(air.timeS[index]! > air.timeS[index - 1]!);
  });

  it("counts the repeated local hour, negative heat and fault rows of a two-digit-year extract", () => {
    const history = unwrap(readLoopHistory([fixture("esif-2016-11-06.csv")], "nrel-esif", "liquid"));
    assert.equal(history.rows, 430);
    // 11/6/16 1:00–1:59 appears twice (clocks went back): the second of each minute is dropped.
    assert.equal(history.dropped.duplicateTime, 60);
    // Two rows of −100 kW liquid heat; twelve rows with the air side at −18.33 °C.
    assert.equal(history.dropped.noHeat, 2);
    assert.equal(history.dropped.implausible, 12);
    assert.equal(history.timeS.length, 430 - 60 - 2 - 12);
    // The gap between the two cuts is not counted as covered time.
    assert.ok(Math.max(...history.weightS) <= history.maxGapS);
  });

  it("merges files in time order whatever order they are given in", () => {
    const history = unwrap(
      readLoopHistory([fixture("esif-2016-12-05.csv"), fixture("esif-2016-09-11.csv")], "nrel-esif", "liquid"),
    );
    assert.equal(history.timeS[0], Date.UTC(2016, 8, 11) / 1000);
    assert.equal(history.timeS[history.timeS.length - 1], Date.UTC(2016, 11, 5, 23, 59) / 1000);
  });

  it("reads a generic CSV by column mapping, counting missing and implausible rows", () => {
    const text = [
      "Timestamp,Tin,Tout,Q,Note",
      "2024-03-01T00:00:00Z,20,30,100,a",
      "2024-03-01 00:01,20,NaN,100,b",
      "2024-03-01 00:02,20,,100,c",
      "2024-03-01 00:03,20,150,100,d",
      "2024-03-01 00:04,20,19,100,e",
      "1709251500,20,31,0,f",
      "2024-03-01T00:06:00+01:00,20,31,100,g",
    ].join("\n");
    const history = unwrap(readLoopHistory([{ name: "h.csv", text }], "csv", "liquid", mapping));
    assert.equal(history.rows, 7);
    assert.deepEqual(history.dropped, { missing: 2, implausible: 1, noHeat: 1, noRise: 1, duplicateTime: 0 });
    // The +01:00 row is 23:06 UTC the day before: it sorts first.
    assert.equal(history.timeS[0], Date.UTC(2024, 1, 29, 23, 6) / 1000);
    assert.equal(history.timeS.length, 2);
    assert.equal(history.hasTotal, false);
  });

  it("names the file, row and column of structural errors", () => {
    const read = (text: string, map = mapping) => readLoopHistory([{ name: "h.csv", text }], "csv", "liquid", map);
    assert.match(errorOf(read("")), /h\.csv: empty file/);
    assert.match(errorOf(read("Timestamp,Tin,Tout,Q\n")), /h\.csv: no data rows/);
    assert.match(
      errorOf(read("Timestamp,Tin,Tout\n2024-01-01,1,2\n")),
      /h\.csv:1: column "Q" \(heat\) is not in the header/,
    );
    assert.match(
      errorOf(read("Timestamp,Tin,Tout,Q\n2024-01-01,1,2,3\n2024-01-01 00:01,1,warm,3\n")),
      /h\.csv:3: column "Tout": "warm" is not a number/,
    );
    assert.match(
      errorOf(read("Timestamp,Tin,Tout,Q\nyesterday,1,2,3\n")),
      /h\.csv:2: column "Timestamp": "yesterday" is not a time/,
    );
    assert.match(errorOf(read("Timestamp,Tin,Tout,Q\n2024-01-01,1,2\n")), /h\.csv:2: 3 fields where the header has 4/);
    assert.match(errorOf(readLoopHistory([{ name: "h.csv", text: "a,b\n1,2\n" }], "csv", "liquid")), /needs --columns/);
    assert.match(
      errorOf(
        readLoopHistory([{ name: "x.csv", text: "Timestamp,Tin,Tout,Q\n2024-01-01,1,2,3\n" }], "nrel-esif", "air"),
      ),
      /x\.csv:1: not an nrel-esif header/,
    );
    assert.match(errorOf(readLoopHistory([], "csv", "liquid", mapping)), /--history/);
  });

  it("reads old-Mac line breaks and refuses binary, unseparated and over-long input in one short line", () => {
    const read = (text: string) => readLoopHistory([{ name: "h.csv", text }], "csv", "liquid", mapping);
    const rows = ["Timestamp,Tin,Tout,Q", "2024-01-01T00:00,20,30,100", "2024-01-01T00:01,20,31,100"];
    assert.equal(unwrap(read(rows.join("\r"))).rows, 2);
    assert.match(errorOf(read(`${rows[0]}\n2024-01-01,1,2\u0000,3\n`)), /^h\.csv:2: binary content \(a NUL byte\)/);
    const semicolons = errorOf(read(rows.map((row) => row.replaceAll(",", ";")).join("\n")));
    assert.match(semicolons, /separated by ;\? history files are comma-separated/);
    const noBreaks = errorOf(read("x".repeat(1_000_000)));
    assert.ok(noBreaks.length < 400, `${noBreaks.length} characters`);
    assert.match(noBreaks, /\(1,000,000 characters\)/);
    const longCell = errorOf(read(`${rows[0]}\n2024-01-01,1,${"9".repeat(500)}x,3\n`));
    assert.ok(longCell.length < 200, longCell);
    assert.match(errorOf(read(`${rows[0]}\n"2024-01-01,1,2,3\n`)), /h\.csv:2: 1 fields .*quote left open/);
  });

  it("counts a loop heat above 1 GW as implausible, and reads a total above 2 GW as unknown", () => {
    const text = [
      "Timestamp,Tin,Tout,Q,IT",
      "2024-01-01T00:00,20,30,1e300,1e300",
      "2024-01-01T00:01,20,30,100,1e300",
      "2024-01-01T00:02,20,30,100,120",
    ].join("\n");
    const history = unwrap(readLoopHistory([{ name: "h.csv", text }], "csv", "liquid", { ...mapping, total: "IT" }));
    assert.equal(history.dropped.implausible, 1);
    assert.deepEqual([...history.totalKw], [Number.NaN, 120]);
  });

  it("refuses times and numbers that would be read as something else", () => {
    const read = (cell: string, column: "time" | "heat") =>
      readLoopHistory(
        [
          {
            name: "h.csv",
            text: `Timestamp,Tin,Tout,Q\n${column === "time" ? cell : "2024-01-01"},20,30,${column === "heat" ? cell : "100"}\n`,
          },
        ],
        "csv",
        "liquid",
        mapping,
      );
    // Milliseconds read as seconds would put the history in the year 50,000.
    assert.match(errorOf(read("1473000000000", "time")), /is not a time \(.*looks like milliseconds\)/);
    assert.equal(unwrap(read("1473000000", "time")).timeS[0], 1_473_000_000);
    assert.match(errorOf(read("25/09/2016 10:00", "time")), /is not a time \(.*looks like day\/month\/year\)/);
    for (const time of [
      "09/01/2016 00:60",
      "9/1/16 24:00",
      "2020-02-30T00:00",
      "2020-01-01T23:61",
      "2020-01-01T00:00+25:00",
    ]) {
      assert.match(errorOf(read(time, "time")), /is not a time/, time);
    }
    assert.equal(unwrap(read("2020-01-01T02:00+02:00", "time")).timeS[0], Date.UTC(2020, 0, 1) / 1000);
    assert.equal(unwrap(read("2020-01-01T00:00:30.5Z", "time")).timeS[0], Date.UTC(2020, 0, 1, 0, 0, 30, 500) / 1000);
    for (const heat of ["0x10", "0b1", "Infinity"]) assert.match(errorOf(read(heat, "heat")), /is not a number/, heat);
    // A decimal comma adds a field: refused, not read as 1 with a spare field.
    assert.match(errorOf(read("1,5", "heat")), /h\.csv:2: 5 fields where the header has 4/);
    assert.equal(unwrap(read("1.5e2,", "heat")).heatKw[0], 150);
    assert.equal(unwrap(read(".5", "heat")).heatKw[0], 0.5);
  });

  it("parses column mappings and times, rejecting what it cannot read", () => {
    assert.deepEqual(unwrap(parseColumnMapping("time=T,supply=S,return=R,heat=Q,total=IT")), {
      time: "T",
      supply: "S",
      return: "R",
      heat: "Q",
      total: "IT",
    });
    assert.match(errorOf(parseColumnMapping("time=T,supply=S,return=R")), /missing heat/);
    assert.match(errorOf(parseColumnMapping("time=T,supply=S,return=R,heat=Q,flow=F")), /unknown key "flow"/);
    assert.match(errorOf(parseColumnMapping("time=T,supply")), /"supply" is not key=column/);
    assert.equal(parseTime("10/1/16 0:00"), Date.UTC(2016, 9, 1) / 1000);
    assert.equal(parseTime("09/01/2016 13:05"), Date.UTC(2016, 8, 1, 13, 5) / 1000);
    assert.equal(parseTime("2016-09-01"), Date.UTC(2016, 8, 1) / 1000);
    assert.ok(Number.isNaN(parseTime("2/30/17 0:00")));
    assert.ok(Number.isNaN(parseTime("noon")));
  });
});

describe("history period", () => {
  it("reads month, day and minute bounds as clock time, and refuses impossible dates", () => {
    const at = (text: string) => {
      const parsed = parsePeriodBound(text, "--from");
      return parsed.ok ? parsed.value : parsed.error;
    };
    assert.equal(at("2017-01"), Date.UTC(2017, 0, 1) / 1000);
    assert.equal(at("2016-02-29"), Date.UTC(2016, 1, 29) / 1000);
    assert.equal(at("2016-09-11T06:30"), Date.UTC(2016, 8, 11, 6, 30) / 1000);
    // A year below 100 is that year, not 19xx.
    assert.equal(at("0050-03"), new Date("0050-03-01T00:00:00Z").getTime() / 1000);
    assert.equal(at("2016-12-31T23:59"), Date.UTC(2016, 11, 31, 23, 59) / 1000);
    for (const bad of [
      "2017-02-29",
      "2017-13",
      "2017-00",
      "2017-01-01T24:00",
      "2017-01-01T12:60",
      "2017-1",
      "17-01",
      "2017-01-01 06:00",
    ]) {
      assert.match(String(at(bad)), new RegExp(`^--from: "${bad}" is not a date`), bad);
    }
  });

  it("keeps the samples in [from, to) and says what the history covers when none is", () => {
    const lines = ["time,supply,return,heat"];
    for (let hour = 0; hour < 72; hour++) {
      lines.push(`${new Date(Date.UTC(2024, 0, 31, hour)).toISOString()},20,30,100`);
    }
    const history = readLoopHistory([{ name: "h.csv", text: lines.join("\n") }], "csv", "air", {
      time: "time",
      supply: "supply",
      return: "return",
      heat: "heat",
    });
    assert.ok(history.ok);
    const february = historyBetween(history.value, Date.UTC(2024, 1, 1) / 1000, Date.UTC(2024, 1, 2) / 1000);
    assert.ok(february.ok);
    assert.equal(february.value.timeS.length, 24);
    assert.equal(february.value.timeS[0], Date.UTC(2024, 1, 1) / 1000);
    const none = historyBetween(history.value, Date.UTC(2024, 5, 1) / 1000, undefined);
    assert.ok(
      !none.ok && /the history runs 2024-01-31T00:00 → 2024-02-02T23:00/.test(none.error),
      JSON.stringify(none),
    );
  });
});
