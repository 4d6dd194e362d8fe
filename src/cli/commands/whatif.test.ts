import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Command } from "commander";
import { captureStdout } from "../../../test/support/cli.ts";
import { loadSite } from "../../model/load.ts";
import { runWhatIf } from "../../twin/whatif.ts";
import { CliError } from "../output.ts";
import { registerWhatIfCommand, whatIfRequestOfOptions } from "./whatif.ts";

/** Runs `alixan <args>` in-process and returns what it printed on standard output. */
async function alixan(...args: string[]): Promise<string> {
  const program = new Command("alixan").option("--json").exitOverride();
  registerWhatIfCommand(program);
  const { stdout } = await captureStdout(() => program.parseAsync(args, { from: "user" }));
  return stdout;
}

describe("alixan whatif", () => {
  it("asks what the API is asked, and answers as the API does", async () => {
    const request = whatIfRequestOfOptions({
      site: "lab",
      days: "2",
      heatWave: "40,4,24",
      heatWaveInBaseline: true,
      fail: ["cdu:h1-r01-01,cdu:h1-r01-02"],
      waterClass: "W32",
      rackRating: ["nvl72=45", "50"],
    });
    assert.deepEqual(request, {
      days: 2,
      heatWave: { peakC: 40, days: 4, nightMinimumC: 24 },
      heatWaveInBaseline: true,
      fail: ["cdu:h1-r01-01", "cdu:h1-r01-02"],
      waterClass: "W32",
      rackRatings: [{ rackType: "nvl72", maxCoolantSupplyC: 45 }, { maxCoolantSupplyC: 50 }],
    });
    const printed = JSON.parse(
      await alixan("--json", "whatif", "--site", "lab", "--days", "2", "--water-class", "W45"),
    );
    const lab = loadSite("lab");
    const direct = await runWhatIf(lab.site!, { days: 2, waterClass: "W45" }, 1, lab.file);
    assert.ok(direct.ok);
    assert.equal(printed.description, direct.value.description);
    assert.deepEqual(printed.variant, direct.value.variant);
    assert.deepEqual(printed.throttling, direct.value.throttling);
    assert.deepEqual(printed.trippedByHall, direct.value.trippedByHall);
    const text = await alixan("whatif", "--site", "lab", "--days", "1", "--fail", "cdu:h1-r01-01");
    assert.match(text, /^what ran: 1 unit out of service from the start: cdu:h1-r01-01;/);
    assert.match(text, /throttled rack-h baseline/);
    assert.match(text, /tripped rack-h baseline/);
    assert.match(text, /lost busy rack-h baseline/);
    assert.match(text, /^\s*hall\s+tripped rack-h baseline\s+scenario\s*$/m);
    assert.match(text, /^\s*hall:h2\s+0\.0\s+0\.0\s*$/m);
    assert.match(text, /^\s*trippedRackHours\s/m, "the KPI table lists every KPI of the answer");
  });

  it("names the flag of a refused value", async () => {
    await assert.rejects(
      alixan("whatif", "--site", "lab", "--fail", "cdu:nowhere"),
      (error: unknown) => error instanceof CliError && /^--fail \(fail\[0\]\): no CDU/.test(error.message),
    );
    await assert.rejects(
      alixan("whatif", "--site", "lab", "--heat-wave", "40"),
      (error: unknown) => error instanceof CliError && /^--heat-wave: "40" is not PEAK,DAYS,NIGHT/.test(error.message),
    );
    await assert.rejects(
      alixan("whatif", "--site", "lab", "--scenario", "heatwave"),
      (error: unknown) => error instanceof CliError && /did you mean "heat-wave"/.test(error.message),
    );
    await assert.rejects(
      alixan("whatif", "--site", "lab", "--operator-response", "soon"),
      (error: unknown) =>
        error instanceof CliError && /^--operator-response: "soon" is not a duration .*, or off$/.test(error.message),
    );
    await assert.rejects(
      alixan("whatif", "--site", "lab", "--operator-response", "8d"),
      (error: unknown) =>
        error instanceof CliError && /^--operator-response \(operatorResponseS\): 691200 is not/.test(error.message),
    );
  });

  it("takes the scenario's operator response as a duration or off", () => {
    const request = (text: string) =>
      whatIfRequestOfOptions({ site: "lab", days: "1", fail: [], rackRating: [], operatorResponse: text })
        .operatorResponseS;
    assert.deepEqual(["2h", "90", "off"].map(request), [7200, 90, "off"]);
  });
});
