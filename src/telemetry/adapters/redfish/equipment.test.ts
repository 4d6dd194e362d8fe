/**
 * Equipment shapes beyond the two DMTF mockups in shared/data: other mockups' and other vendors' ways of writing
 * the same schemas. Each fixture is a few lines written here in the shape of the public mockup or schema named
 * beside it (DMTF Redfish-Publications, mockups/ and DSP0268 schemas), not a copy of it.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import fc from "fast-check";
import { AlarmBook } from "../../alarms/book.ts";
import type { Interner, SampleBuffer } from "../../samples.ts";
import { SeriesRegistry } from "../../series.ts";
import { failure } from "../../types.ts";
import { bindingFor, decodeRedfishTargets } from "./binding.ts";
import { AnswerCacheBudget, RedfishClient } from "./client.ts";
import { conditionsOfEvent } from "./events.ts";
import { extractResource, type Resource } from "./extract.ts";
import { MetricUnits, maxLookUpsInFlight, unitSourceOf } from "./metric-units.ts";
import { applyRedfishMessage, RedfishPoller } from "./poller.ts";

/** The readings of one resource as `name{labels}` → value. */
function readingsOf(resource: Resource, uri: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const reading of extractResource(resource, uri).readings) {
    const labels = Object.entries(reading.labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}="${value}"`)
      .join(",");
    found.set(`${reading.name}{${labels}}`, reading.value);
  }
  return found;
}

const sensor = (id: string, fields: Record<string, unknown>): Resource => ({
  "@odata.type": "#Sensor.v1_11_0.Sensor",
  "@odata.id": `/redfish/v1/Chassis/1U/Sensors/${id}`,
  Id: id,
  Status: { State: "Enabled", Health: "OK" },
  ...fields,
});

/**
 * A service answering GETs from a map of URI (path without trailing slash, with its query) → body (a number: that
 * status); counts them.
 */
async function serve(resources: Readonly<Record<string, unknown>>) {
  const requests = new Map<string, number>();
  const server = createServer((request, response) => {
    const [path = "", query] = (request.url ?? "").split("?");
    const key = `${path.replace(/\/$/, "")}${query === undefined ? "" : `?${query}`}`;
    requests.set(key, (requests.get(key) ?? 0) + 1);
    const body = resources[key];
    // A number is the status the service answers (a BMC answering 503 while busy).
    if (typeof body === "number") {
      response.writeHead(body, { "content-type": "application/json" });
      response.end("{}");
      return;
    }
    response.writeHead(body === undefined ? 404 : 200, { "content-type": "application/json" });
    // A string is the answer's text as is (JSON no serialiser here would write).
    response.end(typeof body === "string" ? body : JSON.stringify(body ?? { error: "not found" }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * A poller of one target written as the configuration file writes it, and what it stored: each series' last value
 * (`name{labels}` → value) and how many samples it got.
 */
function pollerOf(entry: Record<string, unknown>) {
  const decoded = decodeRedfishTargets([{ name: "t", ...entry }]);
  assert.ok(decoded.ok, decoded.ok ? "" : decoded.problem);
  const registry = new SeriesRegistry({});
  const readings = new Map<string, number>();
  /** Samples per series in the poll's batch (one each, once duplicates are kept once). */
  const counts = new Map<string, number>();
  const sink = async (samples: SampleBuffer) => {
    for (let i = 0; i < samples.count; i++) {
      const key = registry.info(samples.series[i]!)!.key;
      readings.set(key, samples.values[i]!);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return undefined;
  };
  const poller = new RedfishPoller(
    decoded.value[0]!,
    (name, labels) => registry.intern(name, labels),
    sink,
    new AlarmBook({}),
  );
  return { poller, readings, counts };
}

/** Polls one target written as the configuration file writes it; its samples as `name{labels}` → value. */
async function pollTarget(entry: Record<string, unknown>) {
  const { poller, readings, counts } = pollerOf(entry);
  const status = await poller.poll(1_000);
  await poller.close();
  return { status, readings, counts };
}

describe("Redfish sensors: ReadingType, ReadingUnits and null readings", () => {
  it("reads a sensor that gives ReadingUnits but no ReadingType by its unit", () => {
    // public-rackmount1 Chassis/1U/Sensors/IntakeTemp: PhysicalContext Intake, ReadingUnits Cel, no ReadingType.
    const intake = sensor("IntakeTemp", { PhysicalContext: "Intake", Reading: 24.8, ReadingUnits: "Cel" });
    const readings = readingsOf(intake, "/redfish/v1/Chassis/1U/Sensors/IntakeTemp");
    assert.equal(readings.get('sensor_temperature_celsius{sensor="IntakeTemp"}'), 24.8);
    assert.equal(readings.get('inlet_temperature_celsius{sensor="IntakeTemp"}'), 24.8);
    assert.equal(readings.has('sensor_reading{sensor="IntakeTemp",unit="Cel"}'), false);
  });

  it("converts a reading given in another unit of its quantity, and refuses a unit that does not fit", () => {
    const uri = "/redfish/v1/Chassis/PDU/Sensors/X";
    // public-pdu's shape (Chassis/PDU/Sensors/PDUPower), written by a vendor in kW instead of the schema's W.
    const kilowatts = readingsOf(sensor("PDUPower", { ReadingType: "Power", Reading: 6.438, ReadingUnits: "kW" }), uri);
    assert.equal(kilowatts.get('sensor_power_watts{sensor="PDUPower"}'), 6438);
    // public-cooling-unit's PrimaryHeatLoad (Heat, kW) from a unit reporting watts.
    const heat = readingsOf(sensor("HeatLoad", { ReadingType: "Heat", Reading: 25480, ReadingUnits: "W" }), uri);
    assert.equal(heat.get('sensor_heat_kw{sensor="HeatLoad"}'), 25.48);
    // The spellings DMTF's own public-pdu mockup uses: "C" for temperatures, "kW" for EnergykWh.
    const cabinet = readingsOf(sensor("CabTemp", { ReadingType: "Temperature", Reading: 23, ReadingUnits: "C" }), uri);
    assert.equal(cabinet.get('sensor_temperature_celsius{sensor="CabTemp"}'), 23);
    const energy = readingsOf(
      sensor("EnergyA1", { ReadingType: "EnergykWh", Reading: 36166, ReadingUnits: "kW" }),
      uri,
    );
    assert.equal(energy.get('sensor_energy_kwh{sensor="EnergyA1"}'), 36166);
    const fahrenheit = readingsOf(
      sensor("Inlet", { ReadingType: "Temperature", Reading: 77, ReadingUnits: "[degF]" }),
      uri,
    );
    assert.equal(fahrenheit.get('sensor_temperature_celsius{sensor="Inlet"}'), 25);

    // public-cooling-unit Chassis/CDU/Sensors/PrimaryDeltaTemp: ReadingBasis Delta, a difference, not a temperature.
    const rise = readingsOf(
      sensor("PrimaryDeltaTemp", {
        ReadingType: "Temperature",
        ReadingBasis: "Delta",
        Reading: 10,
        ReadingUnits: "Cel",
      }),
      uri,
    );
    assert.equal(rise.get('sensor_delta_temperature_kelvin{sensor="PrimaryDeltaTemp"}'), 10);
    assert.equal(rise.has('sensor_temperature_celsius{sensor="PrimaryDeltaTemp"}'), false);
    const riseF = readingsOf(
      sensor("Rise", { ReadingType: "Temperature", ReadingBasis: "Delta", Reading: 18, ReadingUnits: "[degF]" }),
      uri,
    );
    assert.equal(riseF.get('sensor_delta_temperature_kelvin{sensor="Rise"}'), 10);

    const wrong = sensor("Apparent", { ReadingType: "Power", Reading: 2749.2, ReadingUnits: "V.A" });
    const extraction = extractResource(wrong, uri);
    assert.deepEqual(
      extraction.readings.filter((reading) => reading.name !== "redfish_health"),
      [],
    );
    assert.deepEqual(extraction.problems, [
      `${uri}: ReadingUnits "V.A" is not a unit of ReadingType Power (expected W); reading not stored`,
    ]);
  });

  it("names a live sensor's null reading as a problem; an absent sensor gives neither readings nor problems", () => {
    const uri = "/redfish/v1/Chassis/1U/Sensors/PS2InputPower";
    const silent = sensor("PS2InputPower", { ReadingType: "Power", Reading: null, ReadingUnits: "W" });
    assert.deepEqual(extractResource(silent, uri).problems, [
      `${uri}: Reading is null (the equipment gives no reading)`,
    ]);
    // A supply bay with nothing in it still carries a 0 in some implementations: not a reading of 0 W.
    const absent = sensor("PS2InputPower", {
      ReadingType: "Power",
      Reading: 0,
      ReadingUnits: "W",
      Status: { State: "Absent" },
    });
    const extraction = extractResource(absent, uri);
    assert.deepEqual(extraction.readings, []);
    assert.deepEqual(extraction.problems, []);
    // public-pdu PowerEquipment/RackPDUs/1/Outlets/A1 (Outlet.v1_4): switched off, its null readings are expected.
    const outlet = "/redfish/v1/PowerEquipment/RackPDUs/1/Outlets/A2";
    const outletIn = (powerState: string) => ({
      "@odata.type": "#Outlet.v1_4_0.Outlet",
      Id: "A2",
      Status: { State: "Enabled", Health: "OK" },
      PowerState: powerState,
      Voltage: { Reading: null },
      PowerWatts: { Reading: null },
    });
    assert.deepEqual(extractResource(outletIn("Off"), outlet).problems, []);
    assert.deepEqual(extractResource(outletIn("On"), outlet).problems, [
      `${outlet}: PowerWatts is null (the equipment gives no reading)`,
      `${outlet}: Voltage is null (the equipment gives no reading)`,
    ]);
  });
});

describe("Redfish server chassis: legacy Power/Thermal and their replacements", () => {
  const chassis = "/redfish/v1/Chassis/1U";

  it("reads legacy Power and Thermal: input power, supplies, the intake temperature, fans, member health", () => {
    // public-rackmount1 Chassis/1U/Power and public-bladed Chassis/MultiBladeEncl/Power (Power.v1_7_3).
    const power: Resource = {
      "@odata.type": "#Power.v1_7_3.Power",
      "@odata.id": `${chassis}/Power`,
      Id: "Power",
      PowerControl: [
        {
          "@odata.id": `${chassis}/Power#/PowerControl/0`,
          MemberId: "0",
          Name: "System Input Power",
          PowerConsumedWatts: 344,
          PowerCapacityWatts: 800,
          Status: { State: "Enabled", Health: "OK" },
        },
      ],
      PowerSupplies: [
        {
          "@odata.id": `${chassis}/Power#/PowerSupplies/0`,
          MemberId: "0",
          Name: "Power Supply Bay",
          Status: { State: "Enabled", Health: "Warning" },
          LineInputVoltage: 120,
          PowerCapacityWatts: 800,
          LastPowerOutputWatts: 325,
        },
        { "@odata.id": `${chassis}/Power#/PowerSupplies/1`, MemberId: "1", Status: { State: "Absent" } },
      ],
    };
    const readings = readingsOf(power, `${chassis}/Power`);
    assert.equal(readings.get('power_watts{control="System Input Power"}'), 344);
    assert.equal(readings.get('power_supply_output_watts{power_supply="Power Supply Bay"}'), 325);
    assert.equal(readings.get(`redfish_health{resource="${chassis}/Power#/PowerSupplies/0"}`), 1);
    assert.equal(readings.has(`redfish_health{resource="${chassis}/Power#/PowerSupplies/1"}`), false);

    // public-rackmount1 Chassis/1U/Thermal (Thermal.v1_7_3): CPU2 Temp is Disabled and has no reading.
    const thermal: Resource = {
      "@odata.type": "#Thermal.v1_7_3.Thermal",
      "@odata.id": `${chassis}/Thermal`,
      Id: "Thermal",
      Temperatures: [
        { MemberId: "1", Name: "CPU2 Temp", Status: { State: "Disabled" }, PhysicalContext: "CPU" },
        {
          MemberId: "2",
          Name: "Chassis Intake Temp",
          Status: { State: "Enabled", Health: "OK" },
          ReadingCelsius: 25,
          PhysicalContext: "Intake",
        },
        { MemberId: "3", Name: "Exhaust Temp", Status: { State: "Enabled", Health: "OK" }, ReadingCelsius: null },
      ],
      Fans: [
        { MemberId: "0", Name: "BaseBoard System Fan", Reading: 2100, ReadingUnits: "RPM" },
        { MemberId: "1", Name: "Odd Fan", Reading: 40, ReadingUnits: "Furlongs" },
      ],
    };
    const extraction = extractResource(thermal, `${chassis}/Thermal`);
    const temperatures = readingsOf(thermal, `${chassis}/Thermal`);
    assert.equal(temperatures.get('inlet_temperature_celsius{sensor="Chassis Intake Temp"}'), 25);
    assert.equal(temperatures.get('sensor_temperature_celsius{sensor="Chassis Intake Temp"}'), 25);
    assert.equal(temperatures.get('fan_speed_rpm{fan="BaseBoard System Fan"}'), 2100);
    assert.equal(temperatures.has('sensor_temperature_celsius{sensor="CPU2 Temp"}'), false);
    assert.deepEqual(extraction.problems, [
      `${chassis}/Thermal: Temperatures[2] (Exhaust Temp).ReadingCelsius is null (the equipment gives no reading)`,
      `${chassis}/Thermal: Fans[1] (Odd Fan).ReadingUnits: "Furlongs" is neither RPM nor Percent; reading not stored`,
    ]);
  });

  it("names a live temperature or sensor that gives its reading under another name", () => {
    // Thermal in the pre-standard names some early BMCs wrote (CurrentReading, Units) instead of ReadingCelsius.
    const thermal = extractResource(
      {
        "@odata.type": "#Thermal.v1_0_0.Thermal",
        Temperatures: [
          {
            Name: "01-Inlet Ambient",
            CurrentReading: 21,
            Units: "Celsius",
            PhysicalContext: "Intake",
            Status: { State: "Enabled", Health: "OK" },
          },
        ],
      },
      `${chassis}/Thermal`,
    );
    assert.deepEqual(thermal.problems, [
      `${chassis}/Thermal: Temperatures[0] (01-Inlet Ambient).ReadingCelsius is missing (the equipment gives no reading under that name)`,
    ]);
    // A Sensor (public-rackmount1 Chassis/1U/Sensors/CPU1Temp) that gives its value as an OEM-style "Value".
    const uri = `${chassis}/Sensors/CPU1Temp`;
    const odd = extractResource(
      sensor("CPU1Temp", { ReadingType: "Temperature", Value: 41, ReadingUnits: "Cel" }),
      uri,
    );
    assert.deepEqual(odd.problems, [`${uri}: Reading is missing (the equipment gives no reading under that name)`]);
  });

  it("reads ThermalMetrics, PowerSupplyMetrics, Fans and EnvironmentMetrics fan excerpts", () => {
    // DSP0268 ThermalMetrics.v1_3 (TemperatureSummaryCelsius, TemperatureReadingsCelsius excerpts).
    const metrics: Resource = {
      "@odata.type": "#ThermalMetrics.v1_3_0.ThermalMetrics",
      Id: "ThermalMetrics",
      TemperatureSummaryCelsius: {
        Intake: { Reading: 24.8, DataSourceUri: `${chassis}/Sensors/IntakeTemp` },
        Exhaust: { Reading: 40.5, DataSourceUri: `${chassis}/Sensors/ExhaustTemp` },
      },
      TemperatureReadingsCelsius: [{ DeviceName: "CPU #1", Reading: 41, DataSourceUri: `${chassis}/Sensors/CPU1Temp` }],
    };
    const thermal = readingsOf(metrics, `${chassis}/ThermalSubsystem/ThermalMetrics`);
    assert.equal(thermal.get('inlet_temperature_celsius{sensor="IntakeTemp"}'), 24.8);
    assert.equal(thermal.get('exhaust_temperature_celsius{sensor="ExhaustTemp"}'), 40.5);
    assert.equal(thermal.get('sensor_temperature_celsius{sensor="CPU1Temp"}'), 41);

    // public-rackmount1 Chassis/1U/PowerSubsystem/PowerSupplies/Bay1/Metrics (PowerSupplyMetrics.v1_1_2).
    const supply = readingsOf(
      {
        "@odata.type": "#PowerSupplyMetrics.v1_1_2.PowerSupplyMetrics",
        Id: "Metrics",
        Status: { State: "Enabled", Health: "Warning" },
        InputPowerWatts: { Reading: 937.4, DataSourceUri: `${chassis}/Sensors/PS1InputPower` },
        InputVoltage: { Reading: 230.2 },
        EnergykWh: { Reading: 325675 },
      },
      `${chassis}/PowerSubsystem/PowerSupplies/Bay1/Metrics`,
    );
    assert.equal(supply.get('power_supply_input_watts{power_supply="Bay1"}'), 937.4);
    assert.equal(supply.get('power_supply_input_voltage_volts{power_supply="Bay1"}'), 230.2);
    assert.equal(supply.get('power_supply_energy_kwh{power_supply="Bay1"}'), 325675);

    // public-rackmount1 Chassis/1U/ThermalSubsystem/Fans/Bay1 (Fan.v1_5): SpeedPercent excerpt with SpeedRPM.
    const fan = readingsOf(
      { "@odata.type": "#Fan.v1_5_0.Fan", Id: "Bay1", SpeedPercent: { Reading: 45, SpeedRPM: 1900 } },
      `${chassis}/ThermalSubsystem/Fans/Bay1`,
    );
    assert.equal(fan.get('fan_speed_percent{fan="Bay1"}'), 45);
    assert.equal(fan.get('fan_speed_rpm{fan="Bay1"}'), 1900);

    // public-rackmount1 Chassis/1U/EnvironmentMetrics: FanSpeedsPercent excerpts beside PowerWatts.
    const environment = readingsOf(
      {
        "@odata.type": "#EnvironmentMetrics.v1_4_0.EnvironmentMetrics",
        PowerWatts: { Reading: 374, DataSourceUri: `${chassis}/Sensors/TotalPower` },
        FanSpeedsPercent: [{ DeviceName: "Chassis Fan #1", Reading: 45, SpeedRPM: 1900 }],
      },
      `${chassis}/EnvironmentMetrics`,
    );
    assert.equal(environment.get("power_watts{}"), 374);
    assert.equal(environment.get('fan_speed_percent{fan="Chassis Fan #1"}'), 45);
  });

  it("names an excerpt's sensor by its DataSourceUri as the walk keys it, whichever schema holds the excerpt", () => {
    const chassis = "/redfish/v1/Chassis/1U";
    // A DataSourceUri written with a trailing slash, or pointing into the sensor with a fragment.
    const thermal = readingsOf(
      {
        "@odata.type": "#ThermalMetrics.v1_3_0.ThermalMetrics",
        TemperatureReadingsCelsius: [
          { Reading: 41, DataSourceUri: `${chassis}/Sensors/CPU1Temp#/Reading` },
          { Reading: 42, DataSourceUri: `${chassis}/Sensors/CPU2Temp/` },
        ],
      },
      `${chassis}/ThermalSubsystem/ThermalMetrics`,
    );
    assert.equal(thermal.get('sensor_temperature_celsius{sensor="CPU1Temp"}'), 41, [...thermal.keys()].join(", "));
    assert.equal(thermal.get('sensor_temperature_celsius{sensor="CPU2Temp"}'), 42);
    const environment = readingsOf(
      {
        "@odata.type": "#EnvironmentMetrics.v1_3_0.EnvironmentMetrics",
        TemperatureCelsius: { Reading: 41, DataSourceUri: `${chassis}/Sensors/CPU1Temp#/Reading` },
      },
      `${chassis}/EnvironmentMetrics`,
    );
    assert.equal(environment.get('sensor_temperature_celsius{sensor="CPU1Temp"}'), 41, "the same series");
  });
});

describe("Redfish cooling equipment and leak detectors", () => {
  it("reads a cooling loop's coolant level and quality, and a cooling unit's capacity", () => {
    // DSP0268 CoolingLoop.v1_0 (ThermalEquipment/CoolingLoops/BuildingChiller in DMTF's schema example).
    const loop = readingsOf(
      {
        "@odata.type": "#CoolingLoop.v1_0_2.CoolingLoop",
        Id: "BuildingChiller",
        Status: { State: "Enabled", Health: "OK" },
        CoolantLevelStatus: "Warning",
        CoolantQuality: "OK",
        CoolantLevelPercent: { Reading: 95 },
      },
      "/redfish/v1/ThermalEquipment/CoolingLoops/BuildingChiller",
    );
    assert.equal(loop.get('coolant_level_percent{cooling_loop="BuildingChiller"}'), 95);
    assert.equal(loop.get('coolant_level_state{cooling_loop="BuildingChiller"}'), 1);
    assert.equal(loop.get('coolant_quality_state{cooling_loop="BuildingChiller"}'), 0);
    const unit = readingsOf(
      { "@odata.type": "#CoolingUnit.v1_1_0.CoolingUnit", Id: "1", CoolingCapacityWatts: 90000 },
      "/redfish/v1/ThermalEquipment/CDUs/1",
    );
    assert.equal(unit.get("cooling_capacity_watts{}"), 90000);
  });

  it("names a leak detector whose state cannot be read instead of passing it for dry", () => {
    // public-cooling-unit Chassis/CDU/LeakDetectors/Moisture (LeakDetector.v1_0), with a vendor's own state word.
    const uri = "/redfish/v1/Chassis/CDU/LeakDetectors/Moisture";
    const detector = {
      "@odata.type": "#LeakDetector.v1_0_0.LeakDetector",
      Id: "Moisture",
      Status: { State: "Enabled", Health: "OK" },
      DetectorState: "Leak",
    };
    const extraction = extractResource(detector, uri);
    assert.equal(extraction.readings.filter((reading) => reading.name === "leak_detector_state").length, 0);
    assert.deepEqual(extraction.problems, [
      `${uri}: DetectorState: "Leak" is not OK, Warning or Critical; the detector's state is unknown`,
    ]);
    // A disabled detector reports nothing and that is no problem.
    const disabled = extractResource({ ...detector, Status: { State: "Disabled" }, DetectorState: null }, uri);
    assert.deepEqual(disabled.problems, []);

    // public-cooling-unit ThermalEquipment/CDUs/1/LeakDetection: group excerpts, one without DetectorState.
    const group = "/redfish/v1/ThermalEquipment/CDUs/1/LeakDetection";
    const detection = extractResource(
      {
        "@odata.type": "#LeakDetection.v1_1_0.LeakDetection",
        Id: "LeakDetection",
        LeakDetectorGroups: [
          {
            GroupName: "Detectors under and around the CDU",
            Detectors: [
              { DataSourceUri: `${group}/LeakDetectors/Moisture/`, DetectorState: "OK" },
              { DataSourceUri: `${group}/LeakDetectors/Overflow` },
            ],
          },
        ],
      },
      group,
    );
    assert.deepEqual(
      detection.readings.map((reading) => [reading.labels["detector"], reading.value]),
      [["Moisture", 0]],
    );
    assert.deepEqual(detection.problems, [
      `${group}: LeakDetectorGroups[0].Detectors[1] (Overflow).DetectorState: null is not OK, Warning or Critical; the detector's state is unknown`,
    ]);
  });
});

describe("Redfish walk: collections in pages, trailing slashes, fragments", () => {
  it("reads every page of a sensor collection once, each member once, under the collection's binding", async () => {
    // public-pdu Chassis/PDU/Sensors split in pages (DSP0266 § 7.4 Members@odata.nextLink), written by a service
    // that puts trailing slashes on its URIs and a JSON-pointer member in the list.
    const base = "/redfish/v1/Chassis/PDU/Sensors";
    const member = (id: string, watts: number) => ({
      "@odata.type": "#Sensor.v1_11_0.Sensor",
      "@odata.id": `${base}/${id}/`,
      Id: id,
      ReadingType: "Power",
      Reading: watts,
      ReadingUnits: "W",
      Status: { State: "Enabled", Health: "OK" },
    });
    const resources: Record<string, unknown> = {
      [base]: {
        "@odata.type": "#SensorCollection.SensorCollection",
        "@odata.id": `${base}/`,
        "Members@odata.count": 3,
        Members: [{ "@odata.id": `${base}/PowerA1/` }, { "@odata.id": `${base}/PowerA1#/Reading` }],
        "Members@odata.nextLink": `${base}/?$skip=1`,
      },
      [`${base}?$skip=1`]: {
        "@odata.type": "#SensorCollection.SensorCollection",
        "@odata.id": `${base}/`,
        "Members@odata.count": 3,
        Members: [{ "@odata.id": `${base}/PowerA2/` }, { "@odata.id": `${base}/PowerA3` }],
      },
      [`${base}/PowerA1`]: member("PowerA1", 197.4),
      [`${base}/PowerA2`]: member("PowerA2", 123.1),
      [`${base}/PowerA3`]: member("PowerA3", 88.9),
    };
    const service = await serve(resources);
    try {
      const { status, readings } = await pollTarget({
        url: service.url,
        resources: [{ uri: `${base}/`, equipment: "pdu:h1-r01-a" }],
      });
      assert.deepEqual(status.problems, []);
      for (const [id, watts] of [
        ["PowerA1", 197.4],
        ["PowerA2", 123.1],
        ["PowerA3", 88.9],
      ] as const) {
        assert.equal(readings.get(`sensor_power_watts{equipment="pdu:h1-r01-a",sensor="${id}"}`), watts);
        assert.equal(service.requests.get(`${base}/${id}`), 1, `${id} read once`);
      }
      assert.equal(service.requests.get(`${base}?$skip=1`), 1, "the second page read once");
      assert.equal(status.resources, 5);
    } finally {
      await service.close();
    }
  });

  it("reads the metric report definitions of every page of the TelemetryService's collection", async () => {
    // DSP0268 TelemetryService, MetricReportDefinition and MetricReport, their collection served in two pages.
    const telemetry = "/redfish/v1/TelemetryService";
    const definition = (id: string) => ({
      "@odata.type": "#MetricReportDefinition.v1_4_6.MetricReportDefinition",
      Id: id,
      MetricReportDefinitionEnabled: true,
      ReportActions: ["LogToMetricReportsCollection"],
      MetricReport: { "@odata.id": `${telemetry}/MetricReports/${id}` },
    });
    const report = (id: string, property: string, value: string) => ({
      "@odata.type": "#MetricReport.v1_5_0.MetricReport",
      Id: id,
      Timestamp: "2026-12-06T10:00:00Z",
      MetricValues: [{ MetricId: "Reading", MetricProperty: property, MetricValue: value }],
    });
    const service = await serve({
      [telemetry]: {
        "@odata.type": "#TelemetryService.v1_3_4.TelemetryService",
        MetricReportDefinitions: { "@odata.id": `${telemetry}/MetricReportDefinitions` },
        MetricReports: { "@odata.id": `${telemetry}/MetricReports` },
      },
      [`${telemetry}/MetricReportDefinitions`]: {
        Members: [{ "@odata.id": `${telemetry}/MetricReportDefinitions/Inlet` }],
        "Members@odata.nextLink": `${telemetry}/MetricReportDefinitions?$skiptoken=2`,
      },
      [`${telemetry}/MetricReportDefinitions?$skiptoken=2`]: {
        Members: [{ "@odata.id": `${telemetry}/MetricReportDefinitions/Power` }],
      },
      [`${telemetry}/MetricReportDefinitions/Inlet`]: definition("Inlet"),
      [`${telemetry}/MetricReportDefinitions/Power`]: definition("Power"),
      [`${telemetry}/MetricReports/Inlet`]: report(
        "Inlet",
        "/redfish/v1/Chassis/1U/Sensors/IntakeTemp/Reading",
        "24.8",
      ),
      [`${telemetry}/MetricReports/Power`]: report("Power", "/redfish/v1/Chassis/1U/Sensors/TotalPower/Reading", "374"),
      // The Sensors the values' MetricProperty belong to: they say the values' units.
      "/redfish/v1/Chassis/1U/Sensors/IntakeTemp": sensor("IntakeTemp", {
        ReadingType: "Temperature",
        ReadingUnits: "Cel",
      }),
      "/redfish/v1/Chassis/1U/Sensors/TotalPower": sensor("TotalPower", { ReadingType: "Power", ReadingUnits: "W" }),
    });
    try {
      const { status, readings } = await pollTarget({ url: service.url, metricReports: true });
      assert.deepEqual(status.problems, []);
      assert.equal(status.metricReports, 2);
      assert.equal(
        readings.get(
          'redfish_reading_watts{property="/redfish/v1/Chassis/1U/Sensors/TotalPower/Reading",report="Power"}',
        ),
        374,
      );
    } finally {
      await service.close();
    }
  });
});

describe("Redfish URIs written with trailing slashes and fragments", () => {
  const decoded = decodeRedfishTargets([
    {
      name: "srv-1",
      url: "http://127.0.0.1:1",
      resources: [
        { uri: "/redfish/v1/Chassis/1U", equipment: "rack:h1-r01-01" },
        { uri: "/redfish/v1/Chassis/1U/Power", equipment: "psu:h1-r01-01" },
      ],
    },
  ]);
  assert.ok(decoded.ok);
  const target = decoded.value[0]!;

  it("binds a legacy array member (a JSON pointer) and a collection page to the resource they belong to", () => {
    // public-bladed Chassis/MultiBladeEncl/Power: PowerSupplies members are `…/Power#/PowerSupplies/0`.
    assert.equal(bindingFor(target, "/redfish/v1/Chassis/1U/Power#/PowerSupplies/0")?.equipment, "psu:h1-r01-01");
    assert.equal(bindingFor(target, "/redfish/v1/Chassis/1U/Power?$skip=10")?.equipment, "psu:h1-r01-01");
  });

  it("clears a polled condition by a pushed event whose origin is written without the trailing slash", () => {
    // public-cooling-unit LeakDetection: Status.Conditions name the detector; this service writes it with a slash.
    const detector = "/redfish/v1/ThermalEquipment/CDUs/1/LeakDetection/LeakDetectors/Overflow";
    const polled = extractResource(
      {
        "@odata.type": "#LeakDetection.v1_1_0.LeakDetection",
        Status: {
          State: "Enabled",
          Health: "Critical",
          Conditions: [
            {
              MessageId: "Environmental.1.2.LeakDetectedCritical",
              MessageArgs: ["Overflow"],
              OriginOfCondition: { "@odata.id": `${detector}/` },
            },
          ],
        },
      },
      "/redfish/v1/ThermalEquipment/CDUs/1/LeakDetection/",
    ).conditions;
    const book = new AlarmBook({});
    for (const condition of polled) applyRedfishMessage(book, target, condition, undefined, 1_000);
    assert.equal(book.list().length, 1);
    const pushed = conditionsOfEvent({
      Events: [
        {
          MessageId: "Environmental.1.2.LeakDetectedNormal",
          MessageArgs: ["Overflow"],
          OriginOfCondition: { "@odata.id": detector },
        },
      ],
    });
    for (const condition of pushed) applyRedfishMessage(book, target, condition, undefined, 2_000);
    assert.deepEqual(book.list(), []);
  });
});

describe("Redfish links to other hosts", () => {
  it("does not follow a member link to another host (its credentials would go there), and names it", async () => {
    const elsewhere = await serve({});
    // A SensorCollection (public-pdu Chassis/PDU/Sensors) one of whose members is written as an absolute URL.
    const service = await serve({
      "/redfish/v1/Chassis/PDU/Sensors": {
        "@odata.type": "#SensorCollection.SensorCollection",
        Members: [{ "@odata.id": `${elsewhere.url}/redfish/v1/Chassis/PDU/Sensors/PowerA1` }],
      },
    });
    try {
      const { status } = await pollTarget({
        url: service.url,
        username: "monitor",
        auth: "basic",
        resources: [{ uri: "/redfish/v1/Chassis/PDU/Sensors" }],
      });
      assert.equal(elsewhere.requests.size, 0);
      assert.deepEqual(status.problems, [
        `${elsewhere.url}/redfish/v1/Chassis/PDU/Sensors/PowerA1: not on this service (${service.url}): not requested`,
      ]);
    } finally {
      await service.close();
      await elsewhere.close();
    }
  });
});

describe("Redfish extraction of arbitrary shapes", () => {
  it("never throws and gives only finite readings, whatever the JSON under a known @odata.type", () => {
    const types = [
      "CoolantConnector",
      "CoolingUnit",
      "CoolingLoop",
      "Pump",
      "Reservoir",
      "LeakDetector",
      "LeakDetection",
      "EnvironmentMetrics",
      "PowerDistributionMetrics",
      "Circuit",
      "Outlet",
      "Sensor",
      "Power",
      "Thermal",
      "ThermalMetrics",
      "Fan",
      "PowerSupplyMetrics",
      "SensorCollection",
      "PowerDomain",
    ];
    // Each known property name may hold any JSON value: what a vendor's or a broken service's answer may hold.
    const properties = [
      "Status",
      "Reading",
      "ReadingType",
      "ReadingUnits",
      "ReadingBasis",
      "PhysicalContext",
      "DetectorState",
      "LeakDetectorGroups",
      "Members",
      "Members@odata.nextLink",
      "PowerControl",
      "PowerSupplies",
      "Temperatures",
      "Fans",
      "TemperatureSummaryCelsius",
      "TemperatureReadingsCelsius",
      "FanSpeedsPercent",
      "SpeedPercent",
      "PolyPhaseVoltage",
      "FlowLitersPerMinute",
      "Links",
      "Id",
    ];
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.constantFrom("Absent", "Enabled", "OK", "Critical", "Cel", "[degF]", "Delta", "Intake", "RPM"),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.dictionary(fc.constantFrom(...properties), value),
        fc.constantFrom("/redfish/v1/Chassis/1U/X", "/redfish/v1/Chassis/1U/X/", "/redfish/v1?$skip=2#/a"),
        (type, fields, uri) => {
          const extraction = extractResource({ "@odata.type": `#${type}.v1_0_0.${type}`, ...fields }, uri);
          for (const found of extraction.readings) assert.ok(Number.isFinite(found.value), found.name);
        },
      ),
      { numRuns: 2000, seed: 20261206 },
    );
  });
});

describe("Redfish server temperatures: named by what they measure, one sample per series", () => {
  const chassis = "/redfish/v1/Chassis/1U";
  // public-rackmount1 Chassis/1U: EnvironmentMetrics.TemperatureCelsius is an excerpt of Sensors/CPU1Temp
  // (PhysicalContext CPU); AmbientTemp is the Room sensor; ThermalMetrics repeats the intake sensor's value.
  const resources = (excerptReading: number): Record<string, unknown> => ({
    [chassis]: {
      "@odata.type": "#Chassis.v1_25_0.Chassis",
      Id: "1U",
      EnvironmentMetrics: { "@odata.id": `${chassis}/EnvironmentMetrics` },
      Sensors: { "@odata.id": `${chassis}/Sensors` },
      ThermalSubsystem: { "@odata.id": `${chassis}/ThermalSubsystem` },
    },
    [`${chassis}/EnvironmentMetrics`]: {
      "@odata.type": "#EnvironmentMetrics.v1_4_0.EnvironmentMetrics",
      Id: "EnvironmentMetrics",
      TemperatureCelsius: { Reading: 39, DataSourceUri: `${chassis}/Sensors/CPU1Temp` },
    },
    [`${chassis}/Sensors`]: {
      "@odata.type": "#SensorCollection.SensorCollection",
      Members: ["CPU1Temp", "AmbientTemp", "IntakeTemp"].map((id) => ({ "@odata.id": `${chassis}/Sensors/${id}` })),
    },
    [`${chassis}/Sensors/CPU1Temp`]: sensor("CPU1Temp", { PhysicalContext: "CPU", Reading: 37, ReadingUnits: "Cel" }),
    [`${chassis}/Sensors/AmbientTemp`]: sensor("AmbientTemp", {
      PhysicalContext: "Room",
      Reading: 22.5,
      ReadingUnits: "Cel",
    }),
    [`${chassis}/Sensors/IntakeTemp`]: sensor("IntakeTemp", {
      PhysicalContext: "Intake",
      Reading: 24.8,
      ReadingUnits: "Cel",
    }),
    [`${chassis}/ThermalSubsystem`]: {
      "@odata.type": "#ThermalSubsystem.v1_3_3.ThermalSubsystem",
      ThermalMetrics: { "@odata.id": `${chassis}/ThermalSubsystem/ThermalMetrics` },
    },
    [`${chassis}/ThermalSubsystem/ThermalMetrics`]: {
      "@odata.type": "#ThermalMetrics.v1_3_0.ThermalMetrics",
      Id: "ThermalMetrics",
      TemperatureSummaryCelsius: {
        Intake: { Reading: excerptReading, DataSourceUri: `${chassis}/Sensors/IntakeTemp` },
      },
      TemperatureReadingsCelsius: [{ Reading: excerptReading, DataSourceUri: `${chassis}/Sensors/IntakeTemp` }],
    },
  });

  it("does not store a CPU temperature as ambient: the room sensor is, and the CPU's is its sensor's", () => {
    const environment = readingsOf(
      resources(24.8)[`${chassis}/EnvironmentMetrics`] as Resource,
      `${chassis}/EnvironmentMetrics`,
    );
    assert.deepEqual([...environment], [['sensor_temperature_celsius{sensor="CPU1Temp"}', 39]]);
    const room = readingsOf(resources(24.8)[`${chassis}/Sensors/AmbientTemp`] as Resource, `${chassis}/Sensors/A`);
    assert.equal(room.get('ambient_temperature_celsius{sensor="AmbientTemp"}'), 22.5);
    const cpu = readingsOf(resources(24.8)[`${chassis}/Sensors/CPU1Temp`] as Resource, `${chassis}/Sensors/C`);
    assert.deepEqual([...cpu.keys()].sort(), [
      'redfish_health{resource="/redfish/v1/Chassis/1U/Sensors/C"}',
      'sensor_temperature_celsius{sensor="CPU1Temp"}',
    ]);
    // Legacy Thermal members are named by their PhysicalContext the same way.
    const legacy = readingsOf(
      {
        "@odata.type": "#Thermal.v1_7_0.Thermal",
        Temperatures: [
          { Name: "Room", PhysicalContext: "Room", ReadingCelsius: 21 },
          { Name: "Exhaust", PhysicalContext: "Exhaust", ReadingCelsius: 35 },
          { Name: "CPU1", PhysicalContext: "CPU", ReadingCelsius: 60 },
        ],
      },
      `${chassis}/Thermal`,
    );
    assert.equal(legacy.get('ambient_temperature_celsius{sensor="Room"}'), 21);
    assert.equal(legacy.get('exhaust_temperature_celsius{sensor="Exhaust"}'), 35);
    assert.equal([...legacy.keys()].filter((key) => key.includes('"CPU1"')).length, 1);

    // Without a DataSourceUri, by the resource the metrics belong to (DSP0268 EnvironmentMetrics under a
    // Processor, a Facility, a chassis).
    const own = (uri: string) =>
      readingsOf({ "@odata.type": "#EnvironmentMetrics.v1_4_0.EnvironmentMetrics", TemperatureCelsius: 30 }, uri);
    assert.deepEqual(
      [...own("/redfish/v1/Systems/1/Processors/CPU1/EnvironmentMetrics")],
      [['component_temperature_celsius{component="CPU1"}', 30]],
    );
    assert.deepEqual(
      [...own("/redfish/v1/Facilities/Room237/EnvironmentMetrics")],
      [["ambient_temperature_celsius{}", 30]],
    );
    assert.deepEqual([...own(`${chassis}/EnvironmentMetrics`)], [["temperature_celsius{}", 30]]);
  });

  it("keeps one sample per series per poll, the Sensor resource's over an excerpt of it", async () => {
    // The excerpts give another value than the sensor (a copy taken at another moment), so which one won shows.
    const service = await serve(resources(25.1));
    try {
      const { status, readings, counts } = await pollTarget({
        url: service.url,
        resources: [{ uri: chassis, equipment: "rack:h1-r01-012" }],
      });
      assert.deepEqual(status.problems, []);
      for (const [key, count] of counts) assert.equal(count, 1, `${key}: ${count} samples in one poll`);
      const at = (name: string, sensorId: string) =>
        readings.get(`${name}{equipment="rack:h1-r01-012",sensor="${sensorId}"}`);
      assert.equal(at("inlet_temperature_celsius", "IntakeTemp"), 24.8);
      assert.equal(at("sensor_temperature_celsius", "IntakeTemp"), 24.8);
      assert.equal(at("sensor_temperature_celsius", "CPU1Temp"), 37);
      assert.equal(at("ambient_temperature_celsius", "AmbientTemp"), 22.5);
      assert.equal([...readings.keys()].filter((key) => key.startsWith("ambient_")).length, 1);
    } finally {
      await service.close();
    }
  });
});

describe("Redfish poll safety catch", () => {
  it("names a resource whose extraction throws and keeps the rest of the poll, poll after poll", async () => {
    const chassis = "/redfish/v1/Chassis/1U";
    const depth = 20_000;
    // JSON nested deeper than the extraction's walk of links can recurse: it throws a RangeError.
    const deep = `{"@odata.type":"#Sensor.v1_11_0.Sensor","Id":"Deep","ReadingType":"Temperature","Reading":1,"ReadingUnits":"Cel","Oem2":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const service = await serve({
      [`${chassis}/Sensors`]: {
        "@odata.type": "#SensorCollection.SensorCollection",
        Members: [{ "@odata.id": `${chassis}/Sensors/Deep` }, { "@odata.id": `${chassis}/Sensors/IntakeTemp` }],
      },
      [`${chassis}/Sensors/Deep`]: deep,
      [`${chassis}/Sensors/IntakeTemp`]: sensor("IntakeTemp", {
        PhysicalContext: "Intake",
        Reading: 24.8,
        ReadingUnits: "Cel",
      }),
    });
    try {
      for (let round = 0; round < 2; round++) {
        const { status, readings } = await pollTarget({ url: service.url, resources: [{ uri: `${chassis}/Sensors` }] });
        assert.equal(status.problems.length, 1, JSON.stringify(status.problems));
        assert.match(status.problems[0]!, /^\/redfish\/v1\/Chassis\/1U\/Sensors\/Deep: not read, extraction failed: /);
        assert.equal(readings.get('inlet_temperature_celsius{sensor="IntakeTemp"}'), 24.8);
        assert.equal(readings.get('up{instance="t",job="redfish"}'), 1);
        assert.equal(status.resources, 3);
      }
    } finally {
      await service.close();
    }
  });
});

describe("Redfish walk bounds: depth, resources per poll, cycles", () => {
  const chassis = "/redfish/v1/Chassis/Loop";
  /** A resource linking one level further down, forever (a service that builds its links from the request URI). */
  const nesting = (levels: number): Record<string, unknown> => {
    const resources: Record<string, unknown> = {};
    let uri = chassis;
    for (let level = 0; level <= levels; level++) {
      resources[uri] = { "@odata.id": uri, Id: `L${level}`, Next: { "@odata.id": `${uri}/Next` } };
      uri = `${uri}/Next`;
    }
    return resources;
  };

  it("stops at maxDepth links from the bound resource and says so in the poll's status", async () => {
    const service = await serve(nesting(30));
    try {
      const { status } = await pollTarget({ url: service.url, maxDepth: 4, resources: [{ uri: chassis }] });
      assert.equal(status.resources, 5, "the bound resource and 4 levels below it");
      assert.equal(service.requests.get(`${chassis}${"/Next".repeat(5)}`), undefined);
      assert.deepEqual(status.problems, [
        `t: walk stopped at maxDepth 4: 1 link(s) further down not followed, such as ${chassis}${"/Next".repeat(5)}`,
      ]);
    } finally {
      await service.close();
    }
  });

  it("reads at most maxResources per poll, naming what was left; a cycle of members is read once", async () => {
    const members = "/redfish/v1/Chassis/Big/Sensors";
    const resources: Record<string, unknown> = {
      [members]: {
        Members: Array.from({ length: 40 }, (_, index) => ({ "@odata.id": `${members}/S${index}` })),
      },
    };
    for (let index = 0; index < 40; index++) {
      // Each member lists the collection and its neighbour as members again: a cycle, not new resources.
      resources[`${members}/S${index}`] = sensor(`S${index}`, {
        ReadingType: "Power",
        Reading: index,
        ReadingUnits: "W",
        Members: [{ "@odata.id": members }, { "@odata.id": `${members}/S${(index + 1) % 40}` }],
      });
    }
    const service = await serve(resources);
    try {
      const bounded = await pollTarget({ url: service.url, maxResources: 10, resources: [{ uri: members }] });
      assert.equal(bounded.status.resources, 10);
      assert.equal(bounded.status.problems.length, 1, JSON.stringify(bounded.status.problems));
      assert.match(
        bounded.status.problems[0]!,
        /^t: walk stopped at maxResources 10: 31 link\(s\) not read this poll, such as \/redfish\/v1\/Chassis\/Big\/Sensors\/S9$/,
      );
      const whole = await pollTarget({ url: service.url, resources: [{ uri: members }] });
      assert.deepEqual(whole.status.problems, []);
      assert.equal(whole.status.resources, 41);
      assert.equal(service.requests.get(members), 2, "the collection once per poll, whatever links back to it");
      // The bounded poll read the collection and its first 9 members; each poll reads each member once.
      for (let index = 0; index < 40; index++)
        assert.equal(service.requests.get(`${members}/S${index}`), index < 9 ? 2 : 1, `S${index}`);
    } finally {
      await service.close();
    }
  });
});

describe("Redfish copied readings: the Sensor a DataSourceUri names is read for what it measures", () => {
  it("reads the sensor of a temperature excerpt once per poll and names its series by its PhysicalContext", async () => {
    // public-rackmount1's shape: ThermalMetrics lists each temperature as an excerpt of a chassis Sensor, and
    // EnvironmentMetrics points at one; only ThermalMetrics and EnvironmentMetrics are bound, without walking.
    const chassis = "/redfish/v1/Chassis/1U";
    const metrics = `${chassis}/ThermalSubsystem/ThermalMetrics`;
    const environment = `${chassis}/EnvironmentMetrics`;
    const excerpt = (id: string, reading: number) => ({ DataSourceUri: `${chassis}/Sensors/${id}`, Reading: reading });
    const service = await serve({
      [metrics]: {
        "@odata.type": "#ThermalMetrics.v1_3_0.ThermalMetrics",
        TemperatureReadingsCelsius: [excerpt("FrontInlet", 21.5), excerpt("CPU1Temp", 41)],
      },
      [environment]: {
        "@odata.type": "#EnvironmentMetrics.v1_3_0.EnvironmentMetrics",
        TemperatureCelsius: excerpt("FrontInlet", 21.5),
      },
      [`${chassis}/Sensors/FrontInlet`]: sensor("FrontInlet", {
        ReadingType: "Temperature",
        PhysicalContext: "Intake",
        Reading: 21.5,
        ReadingUnits: "Cel",
        // A sensor's links are not followed: it is read for what it measures only.
        Oops: { "@odata.id": `${chassis}/Sensors/FrontInlet/Deeper` },
      }),
      [`${chassis}/Sensors/CPU1Temp`]: sensor("CPU1Temp", {
        ReadingType: "Temperature",
        PhysicalContext: "CPU",
        Reading: 41,
        ReadingUnits: "Cel",
      }),
    });
    try {
      const { status, readings, counts } = await pollTarget({
        url: service.url,
        resources: [
          { uri: metrics, walk: false, equipment: "rack:h1-r01-012" },
          { uri: environment, walk: false, equipment: "rack:h1-r01-012" },
        ],
      });
      assert.deepEqual(status.problems, []);
      const at = (name: string, id: string) => readings.get(`${name}{equipment="rack:h1-r01-012",sensor="${id}"}`);
      assert.equal(at("inlet_temperature_celsius", "FrontInlet"), 21.5);
      assert.equal(at("sensor_temperature_celsius", "CPU1Temp"), 41);
      assert.equal(
        [...readings.keys()].filter((key) => key.startsWith("inlet_") || key.startsWith("ambient_")).length,
        1,
        "a CPU temperature is not the air's",
      );
      for (const [key, count] of counts) assert.equal(count, 1, `${key}: ${count} samples in one poll`);
      assert.equal(service.requests.get(`${chassis}/Sensors/FrontInlet`), 1, "named twice, read once");
      assert.equal(service.requests.get(`${chassis}/Sensors/FrontInlet/Deeper`), undefined);
      assert.equal(status.resources, 4);
    } finally {
      await service.close();
    }
  });

  it("reads named sensors within maxResources", async () => {
    const metrics = "/redfish/v1/Chassis/1U/ThermalSubsystem/ThermalMetrics";
    const service = await serve({
      [metrics]: {
        "@odata.type": "#ThermalMetrics.v1_3_0.ThermalMetrics",
        TemperatureReadingsCelsius: Array.from({ length: 5 }, (_, index) => ({
          DataSourceUri: `/redfish/v1/Chassis/1U/Sensors/T${index}`,
          Reading: 20 + index,
        })),
      },
    });
    try {
      const { status } = await pollTarget({ url: service.url, maxResources: 3, resources: [{ uri: metrics }] });
      assert.equal([...service.requests.keys()].filter((uri) => uri.includes("/Sensors/")).length, 2);
      assert.match(status.problems.at(-1)!, /^t: walk stopped at maxResources 3: 3 link\(s\) not read this poll/);
    } finally {
      await service.close();
    }
  });
});

describe("Redfish metric report units", () => {
  const telemetry = "/redfish/v1/TelemetryService";
  const definitions = `${telemetry}/MetricDefinitions`;
  const value = (id: string, metricValue: string, extra: Record<string, unknown>) => ({
    MetricId: id,
    MetricValue: metricValue,
    ...extra,
  });
  const resources = (definitionAnswer: unknown): Record<string, unknown> => ({
    [telemetry]: {
      "@odata.type": "#TelemetryService.v1_3_4.TelemetryService",
      MetricReports: { "@odata.id": `${telemetry}/MetricReports` },
    },
    [`${telemetry}/MetricReports`]: { Members: [{ "@odata.id": `${telemetry}/MetricReports/Rack` }] },
    [`${telemetry}/MetricReports/Rack`]: {
      "@odata.type": "#MetricReport.v1_5_0.MetricReport",
      Id: "Rack",
      Timestamp: "2026-12-06T10:00:00Z",
      MetricValues: [
        // DSP0268 MetricValue v1_1: a link to its MetricDefinition, whose Units (UCUM) say what the string is.
        value("PDUPower", "6.4", { MetricDefinition: { "@odata.id": `${definitions}/PDUPower` } }),
        value("PDUPower", "6.5", { MetricDefinition: { "@odata.id": `${definitions}/PDUPower` } }),
        value("Apparent", "7.1", { MetricDefinition: { "@odata.id": `${definitions}/Apparent` } }),
        // No definition: the Sensor the MetricProperty belongs to says the unit.
        value("InletTemp", "77", { MetricProperty: "/redfish/v1/Chassis/1U/Sensors/Inlet/Reading" }),
        value("Wrong", "3", { MetricProperty: "/redfish/v1/Chassis/1U/Sensors/Wrong#/Reading" }),
        // A property that names its unit itself: stored as read.
        value("PowerConsumedWatts", "350", {
          MetricProperty: "/redfish/v1/Chassis/1U/Power#/PowerControl/0/PowerConsumedWatts",
        }),
      ],
    },
    [`${definitions}/PDUPower`]: definitionAnswer,
    [`${definitions}/Apparent`]: {
      "@odata.type": "#MetricDefinition.v1_3_3.MetricDefinition",
      Id: "Apparent",
      Units: "V.A",
    },
    "/redfish/v1/Chassis/1U/Sensors/Inlet": sensor("Inlet", {
      ReadingType: "Temperature",
      Reading: 77,
      ReadingUnits: "[degF]",
    }),
    "/redfish/v1/Chassis/1U/Sensors/Wrong": sensor("Wrong", { ReadingType: "Power", Reading: 3, ReadingUnits: "V" }),
  });
  const kilowatts = { "@odata.type": "#MetricDefinition.v1_3_3.MetricDefinition", Id: "PDUPower", Units: "kW" };

  it("converts values by their MetricDefinition's Units or their Sensor's, naming the unit", async () => {
    const service = await serve(resources(kilowatts));
    try {
      const { status, readings } = await pollTarget({ url: service.url, metricReports: true });
      const at = (name: string) => readings.get(`${name}{report="Rack"}`);
      assert.equal(at("redfish_pdu_power_watts"), 6500, "kW → W, the last value of the two");
      assert.equal(at("redfish_pdu_power"), undefined);
      assert.equal(readings.get('redfish_apparent{report="Rack",unit="V.A"}'), 7.1, "a unit not converted is named");
      assert.equal(
        readings.get(
          'redfish_inlet_temp_celsius{property="/redfish/v1/Chassis/1U/Sensors/Inlet/Reading",report="Rack"}',
        ),
        25,
      );
      assert.equal(
        readings.get(
          'redfish_power_consumed_watts{property="/redfish/v1/Chassis/1U/Power#/PowerControl/0/PowerConsumedWatts",report="Rack"}',
        ),
        350,
      );
      assert.equal([...readings.keys()].filter((key) => key.startsWith("redfish_wrong")).length, 0);
      assert.deepEqual(status.problems, [
        'MetricReport Rack.MetricValues[4]: /redfish/v1/Chassis/1U/Sensors/Wrong: ReadingUnits "V" is not a unit of ReadingType Power (expected W); reading not stored',
      ]);
      assert.equal(service.requests.get(`${definitions}/PDUPower`), 1, "a definition is read once");
    } finally {
      await service.close();
    }
  });

  it("refuses the values whose units cannot be looked up, stores the rest, and keeps the units it learnt", async () => {
    const served = resources(kilowatts);
    const service = await serve(served);
    const { poller, readings } = pollerOf({ url: service.url, metricReports: true });
    const stored = () => [...readings.keys()];
    const report = served[`${telemetry}/MetricReports/Rack`] as Record<string, unknown>;
    try {
      // The definition answers with a body that is not JSON (a BMC busy rebooting its web server).
      served[`${definitions}/PDUPower`] = "<html>503</html>";
      const first = await poller.poll(1_000);
      const refused = first.problems.filter((problem) => problem.includes("PDUPower"));
      assert.equal(refused.length, 2, JSON.stringify(first.problems));
      assert.match(
        refused[0]!,
        /^MetricReport Rack\.MetricValues\[0\]: \S+\/PDUPower: not a JSON object; not asked again/,
      );
      assert.ok(!stored().some((key) => key.startsWith("redfish_pdu_power")), "nothing stored in a guessed unit");
      assert.ok(stored().includes('redfish_apparent{report="Rack",unit="V.A"}'), "the other values are stored");
      served[`${definitions}/PDUPower`] = kilowatts;
      // The failure is remembered for a minute: the next report is read without asking.
      report["Timestamp"] = "2026-12-06T10:00:10Z";
      await poller.poll(31_000);
      assert.equal(service.requests.get(`${definitions}/PDUPower`), 1);
      report["Timestamp"] = "2026-12-06T10:01:10Z";
      await poller.poll(61_000);
      assert.ok(stored().includes('redfish_pdu_power_watts{report="Rack"}'), stored().join(", "));
      await poller.poll(62_000);
      assert.equal(service.requests.get("/redfish/v1/Chassis/1U/Sensors/Inlet"), 1, "a sensor's unit is kept");
    } finally {
      await poller.close();
      await service.close();
    }
  });

  it("reads each definition once when reports pushed at once name it (a pusher cannot multiply the GETs)", async () => {
    const served = resources(kilowatts);
    const service = await serve(served);
    const { poller } = pollerOf({ url: service.url, metricReports: true });
    try {
      const report = served[`${telemetry}/MetricReports/Rack`] as Resource;
      const failed = await Promise.all(Array.from({ length: 8 }, () => poller.metricUnits.learn(report, 0)));
      assert.deepEqual(
        failed.map((problems) => problems.size),
        Array(8).fill(0),
      );
      assert.equal(service.requests.get(`${definitions}/PDUPower`), 1);
      assert.equal(service.requests.get("/redfish/v1/Chassis/1U/Sensors/Inlet"), 1);
    } finally {
      await poller.close();
      await service.close();
    }
  });
});

describe("Redfish metric units under pushes", () => {
  it(`sends a service at most ${maxLookUpsInFlight} look-ups at once, however many pushed reports name new definitions`, async () => {
    // A slow service that counts the GETs it is answering at once; every definition answers 404 (no unit).
    let inFlight = 0;
    let most = 0;
    const server = createServer((_request, response) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        response.writeHead(404, { "content-type": "application/json" });
        response.end("{}");
      }, 20);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { poller } = pollerOf({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      metricReports: true,
    });
    try {
      const report = (push: number): Resource => ({
        MetricValues: Array.from({ length: 10 }, (_, index) => ({
          MetricId: `M${push}x${index}`,
          MetricValue: "1",
          MetricDefinition: { "@odata.id": `/redfish/v1/TelemetryService/MetricDefinitions/D${push}x${index}` },
        })),
      });
      const failed = await Promise.all(
        Array.from({ length: 20 }, (_, push) => poller.metricUnits.learn(report(push), 0)),
      );
      assert.ok(most <= maxLookUpsInFlight, `${most} GETs at once`);
      const refused = failed.flatMap((problems) => [...problems.values()].map((failure) => failure.problem));
      const noRoom = refused.filter((problem) => /look-ups already under way at this service/.test(problem));
      assert.ok(noRoom.length > 0, "some look-ups found no room");
      // The others were asked and answered 404: refused too, and remembered.
      assert.ok(
        refused.every((problem) => noRoom.includes(problem) || /: HTTP 404; not asked again before/.test(problem)),
        refused.join("\n"),
      );
    } finally {
      await poller.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("Redfish metric unit look-ups that fail", () => {
  const definitions = "/redfish/v1/TelemetryService/MetricDefinitions";
  const kilowatts = { "@odata.type": "#MetricDefinition.v1_3_3.MetricDefinition", Id: "Power", Units: "kW" };
  /** A report whose values name these definitions (or, given as `{ property }`, a MetricProperty). */
  const reportNaming = (...sources: (string | { property: string })[]): Resource => ({
    Id: "R",
    MetricValues: sources.map((source, index) => ({
      MetricId: `M${index}`,
      MetricValue: "1",
      ...(typeof source === "string"
        ? { MetricDefinition: { "@odata.id": source } }
        : { MetricProperty: source.property }),
    })),
  });

  it("remembers a failed look-up: not asked again before a wait of 1 min doubling, an answer clears it", async () => {
    const telemetry = "/redfish/v1/TelemetryService";
    const report: Record<string, unknown> = {
      "@odata.type": "#MetricReport.v1_5_0.MetricReport",
      Id: "Rack",
      Timestamp: "2026-12-06T10:00:00Z",
      MetricValues: [
        { MetricId: "Power", MetricValue: "6.4", MetricDefinition: { "@odata.id": `${definitions}/Power` } },
        { MetricId: "Flow", MetricValue: "3" },
      ],
    };
    const served: Record<string, unknown> = {
      [telemetry]: { MetricReports: { "@odata.id": `${telemetry}/MetricReports` } },
      [`${telemetry}/MetricReports`]: { Members: [{ "@odata.id": `${telemetry}/MetricReports/Rack` }] },
      [`${telemetry}/MetricReports/Rack`]: report,
      [`${definitions}/Power`]: 503,
    };
    const service = await serve(served);
    const { poller, readings } = pollerOf({ url: service.url, metricReports: true });
    const asked = () => service.requests.get(`${definitions}/Power`) ?? 0;
    // Polls at virtual times (ms); each sees a new report, so each would look the definition up.
    const pollAt = async (now: number) => {
      report["Timestamp"] = new Date(Date.parse("2026-12-06T10:00:00Z") + now).toISOString();
      return poller.poll(now);
    };
    try {
      const first = await pollAt(0);
      assert.equal(asked(), 1);
      assert.deepEqual(first.problems, [
        `MetricReport Rack.MetricValues[0]: ${definitions}/Power: HTTP 503; not asked again before 1970-01-01T00:01:00.000Z; value not stored`,
      ]);
      assert.equal(first.decodeErrors, 1, "the refused value counts in decode_errors");
      assert.equal(first.metricUnitFailures, 1);
      assert.equal(readings.get('redfish_flow{report="Rack"}'), 3, "the rest of the report is stored");
      const second = await pollAt(59_999);
      assert.equal(asked(), 1, "not asked again within the wait");
      assert.match(
        second.problems[0]!,
        /Power: HTTP 503; remembered \(failed once\): not asked again before 1970-01-01T00:01:00\.000Z; value not stored$/,
      );
      await pollAt(60_000);
      assert.equal(asked(), 2, "asked again once the wait ended");
      const doubled = await pollAt(60_001);
      assert.match(
        doubled.problems[0]!,
        /remembered \(failed 2 times\): not asked again before 1970-01-01T00:03:00\.000Z/,
      );
      await pollAt(179_999);
      assert.equal(asked(), 2);
      served[`${definitions}/Power`] = kilowatts;
      const answered = await pollAt(180_000);
      assert.equal(asked(), 3);
      assert.deepEqual(answered.problems, []);
      assert.equal(answered.metricUnitFailures, 0, "an answer clears the failure");
      assert.equal(readings.get('redfish_power_watts{report="Rack"}'), 6400);
      await pollAt(200_000);
      assert.equal(asked(), 3, "the unit is kept");
    } finally {
      await poller.close();
      await service.close();
    }
  });

  it("bounds the failures remembered and the wait, and answers at once from memory", async () => {
    const served: Record<string, unknown> = {};
    const service = await serve(served);
    const { poller } = pollerOf({ url: service.url, metricReports: true });
    const units = new MetricUnits(poller.client, 100, { firstRetryMs: 1000, maxRetryMs: 4000, maxRemembered: 3 });
    const asked = (id: string) => service.requests.get(`${definitions}/${id}`) ?? 0;
    try {
      // Ten new definitions, each 404: only the three looked at last are remembered.
      await units.learn(reportNaming(...Array.from({ length: 10 }, (_, index) => `${definitions}/D${index}`)), 0);
      assert.equal(units.failuresRemembered, 3);
      const failed = await units.learn(reportNaming(`${definitions}/D0`, `${definitions}/D9`), 1);
      assert.equal(asked("D0"), 2, "forgotten: asked again");
      assert.equal(asked("D9"), 1, "remembered: not asked");
      const remembered = failed.get(`${definitions}/D9`)!;
      assert.match(remembered.problem, /D9: HTTP 404; remembered \(failed once\)/);
      assert.equal(remembered.sendAgainAt, undefined, "a remembered failure does not ask a pusher to send again");
      // The wait doubles from 1 s up to its bound of 4 s.
      const retries: string[] = [];
      for (const now of [10_000, 11_000, 13_000, 17_000, 21_000]) {
        const failed = await units.learn(reportNaming(`${definitions}/W`), now);
        retries.push(/not asked again before \S+:(\d\d\.\d+)Z/.exec(failed.get(`${definitions}/W`)!.problem)![1]!);
      }
      assert.deepEqual(retries, ["11.000", "13.000", "17.000", "21.000", "25.000"]);
      assert.equal(asked("W"), 5);
      // A failure that may pass, met just now, asks a pusher to send again when the service is asked again.
      served[`${definitions}/Busy`] = 503;
      const busy = (await units.learn(reportNaming(`${definitions}/Busy`), 30_000)).get(`${definitions}/Busy`);
      assert.equal(busy?.sendAgainAt, 31_000);
    } finally {
      await poller.close();
      await service.close();
    }
  });

  it("asks only paths under /redfish/ on the service's own origin, whatever a report names", async () => {
    const service = await serve({});
    let hits = 0;
    const elsewhere = createServer((_request, response) => {
      hits++;
      response.end("{}");
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    const other = `127.0.0.1:${(elsewhere.address() as AddressInfo).port}`;
    const own = service.url.replace("http://", "");
    const { poller } = pollerOf({ url: service.url, metricReports: true });
    const named: [string | { property: string }, RegExp][] = [
      [`http://${other}${definitions}/A`, /not on this service/],
      [`//${other}${definitions}/B`, /not on this service/],
      [`\\\\${other}\\redfish\\v1\\C`, /holds a backslash/],
      [`http://user:secret@${own}${definitions}/D`, /carries a user name or password/],
      [`${definitions}/../../../admin/E`, /dot segment/],
      [`${definitions}/%2e%2e/%2E%2E/%2e%2e/F`, /dot segment/],
      [`${definitions}/..%2f..%2fG`, /encoded slash/],
      ["/admin/H", /not a Redfish path/],
      [`${definitions}/I?$expand=*($levels=6)`, /without a query/],
      [`${definitions}/${"J".repeat(1100)}`, /longer than 1024 characters/],
      [{ property: "/redfish/v1/../../x/Sensors/K/Reading" }, /dot segment/],
    ];
    try {
      const report = reportNaming(...named.map(([source]) => source));
      const failed = await poller.metricUnits.learn(report, 0);
      (report["MetricValues"] as Record<string, unknown>[]).forEach((entry, index) => {
        const [source, why] = named[index]!;
        const failure = failed.get(unitSourceOf(entry)!);
        assert.ok(failure, JSON.stringify(source));
        assert.match(failure.problem, why, JSON.stringify(source));
        assert.match(failure.problem, /: not requested$/);
        assert.equal(failure.sendAgainAt, undefined);
      });
      assert.equal(hits, 0, "no request reached another host");
      assert.deepEqual([...service.requests.keys()], [], "nor the service");
      assert.equal(poller.metricUnits.failuresRemembered, 0, "nothing asked, nothing remembered");
    } finally {
      await poller.close();
      await service.close();
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });
});

describe("Redfish decode health", () => {
  it("counts what a service answers but cannot be decoded, and gives decode_ok 0 when nothing could", async () => {
    const sensors = "/redfish/v1/Chassis/Odd/Sensors";
    const odd = (id: string, fields: Record<string, unknown>) => sensor(id, { ReadingType: "Power", ...fields });
    const resources: Record<string, unknown> = {
      [sensors]: { Members: ["A", "B", "C"].map((id) => ({ "@odata.id": `${sensors}/${id}` })) },
      // A vendor that writes its readings in units and under names the schema does not have.
      [`${sensors}/A`]: odd("A", { Reading: 1, ReadingUnits: "V.A" }),
      [`${sensors}/B`]: odd("B", { CurrentReading: 2, ReadingUnits: "W" }),
      [`${sensors}/C`]: odd("C", { Reading: null, ReadingUnits: "W" }),
    };
    const service = await serve(resources);
    try {
      const blind = await pollTarget({ url: service.url, resources: [{ uri: sensors, equipment: "pdu:h1-r01-a" }] });
      assert.equal(blind.status.decodeErrors, 3);
      assert.equal(blind.readings.get('up{instance="t",job="redfish"}'), 1, "it answers");
      assert.equal(blind.readings.get('decode_errors{instance="t",job="redfish"}'), 3);
      assert.equal(blind.readings.get('decode_ok{instance="t",job="redfish"}'), 0);

      resources[`${sensors}/C`] = odd("C", { Reading: 300, ReadingUnits: "W" });
      const partly = await pollTarget({ url: service.url, resources: [{ uri: sensors }] });
      assert.equal(partly.readings.get('decode_errors{instance="t",job="redfish"}'), 2);
      assert.equal(partly.readings.get('decode_ok{instance="t",job="redfish"}'), 1);
    } finally {
      await service.close();
    }
    const gone = await pollTarget({ url: service.url, resources: [{ uri: sensors }] });
    assert.equal(gone.readings.get('up{instance="t",job="redfish"}'), 0);
    assert.equal(gone.readings.has('decode_ok{instance="t",job="redfish"}'), false, "only for an answering service");
  });

  it("gives decode_ok 0 when the registry refuses every reading (none was stored)", async () => {
    const uri = "/redfish/v1/Chassis/1U/Sensors/TotalPower";
    const service = await serve({
      [uri]: sensor("TotalPower", { ReadingType: "Power", Reading: 300, ReadingUnits: "W" }),
    });
    const decoded = decodeRedfishTargets([{ name: "t", url: service.url, resources: [{ uri }] }]);
    assert.ok(decoded.ok);
    const registry = new SeriesRegistry({});
    const health = new Map<string, number>();
    // A registry that refuses the readings' series (a series limit reached, say), but not up and decode_*.
    const intern: Interner = (name, labels) =>
      name.startsWith("sensor_") ? failure("series limit reached") : registry.intern(name, labels);
    const sink = async (samples: SampleBuffer) => {
      for (let i = 0; i < samples.count; i++) health.set(registry.info(samples.series[i]!)!.name, samples.values[i]!);
      return undefined;
    };
    const poller = new RedfishPoller(decoded.value[0]!, intern, sink, new AlarmBook({}));
    try {
      const status = await poller.poll(1_000);
      assert.equal(status.decodeErrors, 1, JSON.stringify(status.problems));
      assert.equal(health.get("up"), 1);
      assert.equal(health.get("decode_ok"), 0);
    } finally {
      await poller.close();
      await service.close();
    }
  });
});

describe("Redfish Controls: power limits and set points", () => {
  const control = (id: string, fields: Record<string, unknown>): Resource => ({
    "@odata.type": "#Control.v1_5_0.Control",
    "@odata.id": `/redfish/v1/Chassis/1U/Controls/${id}`,
    Id: id,
    Status: { State: "Enabled", Health: "OK" },
    ...fields,
  });

  it("reads a power limit, its allowable range and mode, converted to watts; a disabled limit is not a limit", () => {
    // DSP0268 Control, in the shape of public-rackmount1's Chassis/1U/Controls/PowerLimit.
    const limit = control("PowerLimit", {
      ControlType: "Power",
      ControlMode: "Automatic",
      SetPoint: 0.5,
      SetPointUnits: "kW",
      AllowableMin: 0.15,
      AllowableMax: 1,
    });
    const readings = readingsOf(limit, "/redfish/v1/Chassis/1U/Controls/PowerLimit");
    const labels = '{control="PowerLimit",control_type="Power"}';
    assert.equal(readings.get(`control_set_point_power_watts${labels}`), 500);
    assert.equal(readings.get(`control_allowable_min_power_watts${labels}`), 150);
    assert.equal(readings.get(`control_allowable_max_power_watts${labels}`), 1000);
    assert.equal(readings.get(`control_active${labels}`), 1);

    // A node power limit switched off, its SetPoint left at 0 with no unit (seen on HPE Cray EX nodes).
    const off = readingsOf(
      control("NodePowerLimit", { ControlType: "Power", ControlMode: "Disabled", SetPoint: 0, SetPointUnits: "" }),
      "/redfish/v1/Chassis/Node0/Controls/NodePowerLimit",
    );
    assert.equal(off.get('control_active{control="NodePowerLimit",control_type="Power"}'), 0);
    assert.equal([...off.keys()].filter((key) => key.startsWith("control_set_point")).length, 0);

    const wrong = extractResource(
      control("Bad", { ControlType: "Power", ControlMode: "Override", SetPoint: 3, SetPointUnits: "V" }),
      "/redfish/v1/Chassis/1U/Controls/Bad",
    );
    assert.deepEqual(wrong.problems, [
      '/redfish/v1/Chassis/1U/Controls/Bad: SetPointUnits "V" does not fit ControlType Power; set point not stored',
    ]);
  });

  it("reads the CDU mockup's pump speed control and an EnvironmentMetrics power limit excerpt as its Control", () => {
    // public-cooling-unit Chassis/CDU/Controls/Pump1Speed writes SetPointUnits "Percent".
    const pump = readingsOf(
      control("Pump1Speed", {
        ControlType: "Percent",
        ControlMode: "Automatic",
        SetPoint: 45,
        SetPointUnits: "Percent",
      }),
      "/redfish/v1/Chassis/CDU/Controls/Pump1Speed",
    );
    assert.equal(pump.get('control_set_point_percent{control="Pump1Speed",control_type="Percent"}'), 45);
    const environment = readingsOf(
      {
        "@odata.type": "#EnvironmentMetrics.v1_3_0.EnvironmentMetrics",
        PowerLimitWatts: {
          SetPoint: 500,
          AllowableMin: 150,
          AllowableMax: 1000,
          ControlMode: "Automatic",
          DataSourceUri: "/redfish/v1/Chassis/1U/Controls/PowerLimit",
        },
      },
      "/redfish/v1/Chassis/1U/EnvironmentMetrics",
    );
    assert.equal(environment.get('control_set_point_power_watts{control="PowerLimit",control_type="Power"}'), 500);
    assert.equal(environment.get('control_allowable_max_power_watts{control="PowerLimit",control_type="Power"}'), 1000);
  });
});

describe("Redfish conditional requests", () => {
  it("asks a tagged resource again with If-None-Match and reads the last answer on 304 Not Modified", async () => {
    const uri = "/redfish/v1/Chassis/1U/Sensors/TotalPower";
    let version = 1;
    const answers: number[] = [];
    const server = createServer((request, response) => {
      const etag = `W/"${version}"`;
      if (request.headers["if-none-match"] === etag) {
        answers.push(304);
        response.writeHead(304, { etag });
        response.end();
        return;
      }
      answers.push(200);
      response.writeHead(request.url === uri ? 200 : 404, { "content-type": "application/json", etag });
      response.end(
        JSON.stringify(sensor("TotalPower", { ReadingType: "Power", Reading: 300 + version, ReadingUnits: "W" })),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { poller, readings } = pollerOf({ url, resources: [{ uri }] });
    const watts = () => readings.get('sensor_power_watts{sensor="TotalPower"}');
    try {
      assert.equal((await poller.poll(1_000)).notModified, 0);
      assert.equal(watts(), 301);
      readings.clear();
      const unchanged = await poller.poll(2_000);
      assert.equal(unchanged.notModified, 1);
      assert.equal(watts(), 301, "the reading is stored again from the last answer");
      version = 2;
      await poller.poll(3_000);
      assert.equal(watts(), 302);
      assert.deepEqual(answers, [200, 304, 200]);
    } finally {
      await poller.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("keeps tagged answers within a budget shared by the services' clients, given back when a client closes", async () => {
    const uri = "/redfish/v1/Chassis/1U/Sensors/TotalPower";
    const body = JSON.stringify(sensor("TotalPower", { ReadingType: "Power", Reading: 300, ReadingUnits: "W" }));
    const conditional: boolean[] = [];
    const server = createServer((request, response) => {
      conditional.push(request.headers["if-none-match"] !== undefined);
      if (request.headers["if-none-match"] === '"1"') {
        response.writeHead(304, { etag: '"1"' });
        response.end();
        return;
      }
      response.writeHead(200, { "content-type": "application/json", etag: '"1"' });
      response.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const decoded = decodeRedfishTargets([{ name: "t", url, resources: [{ uri }] }]);
    assert.ok(decoded.ok);
    // Room for one answer, not two.
    const budget = new AnswerCacheBudget(Buffer.byteLength(body) * 1.5);
    const first = new RedfishClient(decoded.value[0]!, undefined, budget);
    const second = new RedfishClient(decoded.value[0]!, undefined, budget);
    try {
      await first.get(uri);
      assert.equal(budget.used, Buffer.byteLength(body));
      await second.get(uri);
      await second.get(uri);
      assert.deepEqual(conditional, [false, false, false], "no room left: the second client keeps nothing");
      assert.equal(budget.used, Buffer.byteLength(body));
      await first.close();
      assert.equal(budget.used, 0, "a closed client gives its bytes back");
      await second.get(uri);
      assert.equal(typeof (await second.get(uri)), "object");
      assert.deepEqual(conditional, [false, false, false, false, true]);
      assert.equal(second.notModified, 1);
    } finally {
      await first.close();
      await second.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
