/**
 * Readings of a server or enclosure chassis, in both shapes equipment comes in:
 * - the legacy `Power` and `Thermal` resources (deprecated since 2020 but what most installed BMCs serve, and all
 *   that DMTF's public-bladed mockup has): arrays of members (`PowerControl`, `PowerSupplies`, `Voltages`,
 *   `Temperatures`, `Fans`), each with its own `Status` and `@odata.id` (a JSON pointer into the resource);
 * - their replacements (public-rackmount1): `PowerSubsystem`, `PowerSupply` and its `PowerSupplyMetrics`,
 *   `ThermalMetrics` and `Fan`, whose numbers are sensor excerpts.
 *
 * The inlet temperature gets its own series, `inlet_temperature_celsius`, whichever shape gives it: a legacy
 * temperature whose `PhysicalContext` is `Intake`, `ThermalMetrics.TemperatureSummaryCelsius.Intake`, or (extract.ts)
 * a Sensor of that context; likewise `Exhaust` and `Room` (ambient) temperatures.
 */
import { isRecord } from "../../../core/records.ts";
import { contextTemperatureSeries, fanSeries } from "./units.ts";
import {
  dataSourceOf,
  type Emit,
  isAbsent,
  isLive,
  readProperty,
  readRequired,
  readValue,
  stateValue,
} from "./values.ts";

type Holder = Readonly<Record<string, unknown>>;

/** Name of a legacy array member: `Name`, else `MemberId`, else its index. */
function memberName(member: Holder, index: number): string {
  if (typeof member["Name"] === "string" && member["Name"] !== "") return member["Name"];
  if (typeof member["MemberId"] === "string") return member["MemberId"];
  return String(index);
}

/** The sensor a reading excerpt comes from: the last segment of its `DataSourceUri`, else `DeviceName`. */
function excerptSource(excerpt: Holder): string | undefined {
  const source = dataSourceOf(excerpt);
  if (source !== undefined) return source.sensor;
  return typeof excerpt["DeviceName"] === "string" ? excerpt["DeviceName"] : undefined;
}

/**
 * Visits the present members of a legacy array property, adding each one's health (a member that is there but
 * disabled has none) under its own `@odata.id`.
 */
function members(
  resource: Holder,
  property: string,
  emit: Emit,
  visit: (member: Holder, name: string, memberEmit: Emit) => void,
): void {
  const list = resource[property];
  if (!Array.isArray(list)) return;
  list.forEach((member: unknown, index) => {
    if (!isRecord(member) || isAbsent(member)) return;
    const pointer = typeof member["@odata.id"] === "string" ? member["@odata.id"] : `${emit.uri}#/${property}/${index}`;
    const status = member["Status"];
    if (isRecord(status) && status["State"] !== "Disabled")
      emit.add("redfish_health", { resource: pointer }, stateValue(status["Health"]));
    const name = memberName(member, index);
    const memberEmit: Emit = {
      uri: emit.uri,
      live: isLive(member),
      add: (series, labels, value) => emit.add(series, labels, value),
      problem: (text) => emit.problem(`${property}[${index}] (${name}).${text}`),
      source: (uri) => emit.source(uri),
    };
    visit(member, name, memberEmit);
  });
}

/** Legacy `#Power.v1_x.Power`: power control (the chassis' input power), supplies and voltages. */
export function extractLegacyPower(resource: Holder, emit: Emit): void {
  members(resource, "PowerControl", emit, (member, name, at) => {
    at.add("power_watts", { control: name }, readRequired(member, "PowerConsumedWatts", at));
    at.add("power_capacity_watts", { control: name }, readProperty(member, "PowerCapacityWatts", at));
  });
  members(resource, "PowerSupplies", emit, (member, name, at) => {
    const labels = { power_supply: name };
    at.add("power_supply_input_watts", labels, readProperty(member, "PowerInputWatts", at));
    at.add("power_supply_output_watts", labels, readProperty(member, "LastPowerOutputWatts", at));
    at.add("power_supply_capacity_watts", labels, readProperty(member, "PowerCapacityWatts", at));
    at.add("power_supply_input_voltage_volts", labels, readProperty(member, "LineInputVoltage", at));
  });
  members(resource, "Voltages", emit, (member, name, at) => {
    at.add("sensor_voltage_volts", { sensor: name }, readRequired(member, "ReadingVolts", at));
  });
}

/** Legacy `#Thermal.v1_x.Thermal`: temperatures (intake, exhaust and room ones also by place: units.ts) and fans. */
export function extractLegacyThermal(resource: Holder, emit: Emit): void {
  members(resource, "Temperatures", emit, (member, name, at) => {
    const celsius = readRequired(member, "ReadingCelsius", at);
    at.add("sensor_temperature_celsius", { sensor: name }, celsius);
    const place = contextTemperatureSeries(member["PhysicalContext"]);
    if (place !== undefined) at.add(place, { sensor: name }, celsius);
  });
  members(resource, "Fans", emit, (member, name, at) => {
    const value = readRequired(member, "Reading", at);
    if (value === undefined) return;
    const series = fanSeries(member["ReadingUnits"]);
    if (series === undefined) {
      at.problem(
        `ReadingUnits: ${JSON.stringify(member["ReadingUnits"] ?? null)} is neither RPM nor Percent; reading not stored`,
      );
      return;
    }
    at.add(series, { fan: typeof member["FanName"] === "string" ? member["FanName"] : name }, value);
  });
}

/** `ThermalMetrics`: the temperature summary (intake, exhaust, internal, ambient), each temperature, air flow. */
export function extractThermalMetrics(resource: Holder, emit: Emit): void {
  const summary = resource["TemperatureSummaryCelsius"];
  if (isRecord(summary)) {
    for (const [place, series] of [
      ["Intake", "inlet_temperature_celsius"],
      ["Exhaust", "exhaust_temperature_celsius"],
      ["Internal", "internal_temperature_celsius"],
      ["Ambient", "ambient_temperature_celsius"],
    ] as const) {
      const excerpt = summary[place];
      const source = isRecord(excerpt) ? excerptSource(excerpt) : undefined;
      emit.add(
        series,
        source === undefined ? {} : { sensor: source },
        readProperty(summary, place, emit, "TemperatureSummaryCelsius."),
      );
    }
  }
  const temperatures = resource["TemperatureReadingsCelsius"];
  if (Array.isArray(temperatures)) {
    temperatures.forEach((excerpt: unknown, index) => {
      if (!isRecord(excerpt)) return;
      const source = excerptSource(excerpt) ?? String(index);
      const named = dataSourceOf(excerpt);
      if (named !== undefined) emit.source(named.uri);
      emit.add(
        "sensor_temperature_celsius",
        { sensor: source },
        readValue(excerpt, emit, `TemperatureReadingsCelsius[${index}]`),
      );
    });
  }
  emit.add("air_flow_cmm", {}, readProperty(resource, "AirFlowCubicMetersPerMinute", emit));
  emit.add("power_watts", {}, readProperty(resource, "PowerWatts", emit));
  emit.add("energy_kwh", {}, readProperty(resource, "EnergykWh", emit));
  emit.add("delta_pressure_kpa", {}, readProperty(resource, "DeltaPressurekPa", emit));
}

/** Fan excerpts of `EnvironmentMetrics.FanSpeedsPercent` (a chassis' fans in one list). */
export function extractFanSpeeds(resource: Holder, emit: Emit): void {
  const fans = resource["FanSpeedsPercent"];
  if (!Array.isArray(fans)) return;
  fans.forEach((excerpt: unknown, index) => {
    if (!isRecord(excerpt)) return;
    const fan =
      typeof excerpt["DeviceName"] === "string" ? excerpt["DeviceName"] : (excerptSource(excerpt) ?? String(index));
    emit.add("fan_speed_percent", { fan }, readValue(excerpt, emit, `FanSpeedsPercent[${index}]`));
    emit.add("fan_speed_rpm", { fan }, readProperty(excerpt, "SpeedRPM", emit, `FanSpeedsPercent[${index}].`));
  });
}

/** A `Fan` of a ThermalSubsystem: speed as a percentage (and RPM when given), its power. */
export function extractFan(resource: Holder, id: string, emit: Emit): void {
  const speed = resource["SpeedPercent"];
  emit.add("fan_speed_percent", { fan: id }, readProperty(resource, "SpeedPercent", emit));
  if (isRecord(speed)) emit.add("fan_speed_rpm", { fan: id }, readProperty(speed, "SpeedRPM", emit, "SpeedPercent."));
  emit.add("fan_power_watts", { fan: id }, readProperty(resource, "PowerWatts", emit));
}

/** `PowerSupplyMetrics` (`…/PowerSupplies/<id>/Metrics`): the supply's input and output, labelled by the supply. */
export function extractPowerSupplyMetrics(resource: Holder, supply: string, emit: Emit): void {
  const labels = { power_supply: supply };
  for (const [property, series] of [
    ["InputPowerWatts", "power_supply_input_watts"],
    ["OutputPowerWatts", "power_supply_output_watts"],
    ["InputVoltage", "power_supply_input_voltage_volts"],
    ["InputCurrentAmps", "power_supply_input_current_amperes"],
    ["EnergykWh", "power_supply_energy_kwh"],
    ["FrequencyHz", "power_supply_frequency_hertz"],
    ["TemperatureCelsius", "power_supply_temperature_celsius"],
  ] as const) {
    emit.add(series, labels, readProperty(resource, property, emit));
  }
}
