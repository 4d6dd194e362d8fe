/**
 * Readings from Redfish resources, by schema type: cooling units and their coolant connectors, pumps, filters,
 * reservoirs and leak detectors; power distribution equipment, its metrics, circuits and outlets; sensors; chassis,
 * facilities and power domains. Each reading gets an alixan series name (units in the name, Prometheus style) and
 * labels naming the component; `Status.Health` of every resource becomes `redfish_health` (0 OK, 1 Warning,
 * 2 Critical) and `Status.Conditions` are passed on for alarms.
 *
 * Also says which linked resources to visit next: subordinate resources (whose URI extends this one's), collection
 * members, and for power domains and facilities the equipment they link to.
 */
import { isRecord } from "../../../core/records.ts";

/** A JSON object as Redfish returns it. */
export type Resource = Readonly<Record<string, unknown>>;

/** One reading found in a resource. */
export interface Reading {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** An entry of `Status.Conditions`. */
export interface Condition {
  readonly messageId: string;
  readonly args: readonly string[];
  readonly severity?: string;
  /** The resource the condition is about (the resource itself when not given). */
  readonly origin: string;
  readonly message?: string;
}

/** What one resource yields. */
export interface Extraction {
  readonly readings: Reading[];
  readonly conditions: Condition[];
  /** URIs to visit next when walking. */
  readonly links: string[];
}

/** `#CoolantConnector.v1_3_0.CoolantConnector` → `CoolantConnector`. */
function resourceType(resource: Resource): string {
  const type = resource["@odata.type"];
  if (typeof type !== "string") return "";
  const parts = type.replace(/^#/, "").split(".");
  return parts.at(-1) ?? "";
}

function odataId(value: unknown): string | undefined {
  return isRecord(value) && typeof value["@odata.id"] === "string" ? value["@odata.id"] : undefined;
}

/** The numeric `Reading` of a property that is an excerpt (`{ "Reading": 42 }`) or a plain number. */
function reading(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (isRecord(value) && typeof value["Reading"] === "number" && Number.isFinite(value["Reading"]))
    return value["Reading"];
  return undefined;
}

const healthValues: Record<string, number> = { OK: 0, Warning: 1, Critical: 2 };

/** Redfish enumerations of OK/Warning/Critical (Health, DetectorState, FluidLevelStatus) as 0/1/2. */
function stateValue(value: unknown): number | undefined {
  return typeof value === "string" ? healthValues[value] : undefined;
}

/** Sensor `ReadingType` → series name (units in the name). */
const sensorNames: Record<string, string> = {
  Temperature: "sensor_temperature_celsius",
  Humidity: "sensor_humidity_percent",
  Power: "sensor_power_watts",
  EnergykWh: "sensor_energy_kwh",
  EnergyJoules: "sensor_energy_joules",
  EnergyWh: "sensor_energy_wh",
  Current: "sensor_current_amperes",
  Voltage: "sensor_voltage_volts",
  Frequency: "sensor_frequency_hertz",
  LiquidFlowLPM: "sensor_liquid_flow_lpm",
  LiquidFlow: "sensor_liquid_flow_lps",
  PressurekPa: "sensor_pressure_kpa",
  PressurePa: "sensor_pressure_pa",
  Heat: "sensor_heat_kw",
  Percent: "sensor_percent",
  Rotational: "sensor_speed_rpm",
  AirFlowCMM: "sensor_air_flow_cmm",
  LiquidLevel: "sensor_liquid_level_cm",
  AbsoluteHumidity: "sensor_absolute_humidity_gpm3",
};

/** Properties of coolant connectors, environment and power metrics: Redfish name → series suffix. */
const connectorFields: readonly (readonly [string, string])[] = [
  ["FlowLitersPerMinute", "coolant_flow_lpm"],
  ["RatedFlowLitersPerMinute", "coolant_rated_flow_lpm"],
  ["SupplyTemperatureCelsius", "coolant_supply_temperature_celsius"],
  ["ReturnTemperatureCelsius", "coolant_return_temperature_celsius"],
  ["DeltaTemperatureCelsius", "coolant_delta_temperature_kelvin"],
  ["SupplyPressurekPa", "coolant_supply_pressure_kpa"],
  ["ReturnPressurekPa", "coolant_return_pressure_kpa"],
  ["DeltaPressurekPa", "coolant_delta_pressure_kpa"],
  ["HeatRemovedkW", "heat_removed_kw"],
];

const environmentFields: readonly (readonly [string, string])[] = [
  ["TemperatureCelsius", "ambient_temperature_celsius"],
  ["HumidityPercent", "ambient_humidity_percent"],
  ["DewPointCelsius", "ambient_dew_point_celsius"],
  ["PowerWatts", "power_watts"],
  ["EnergykWh", "energy_kwh"],
];

const metricsFields: readonly (readonly [string, string])[] = [
  ["PowerWatts", "power_watts"],
  ["EnergykWh", "energy_kwh"],
  ["TemperatureCelsius", "temperature_celsius"],
  ["HumidityPercent", "humidity_percent"],
];

const circuitFields: readonly (readonly [string, string])[] = [
  ["PowerWatts", "power_watts"],
  ["CurrentAmps", "current_amperes"],
  ["Voltage", "voltage_volts"],
  ["EnergykWh", "energy_kwh"],
  ["FrequencyHz", "frequency_hertz"],
  ["RatedCurrentAmps", "rated_current_amperes"],
];

const polyPhaseFields: readonly (readonly [string, string])[] = [
  ["PolyPhaseVoltage", "line_voltage_volts"],
  ["PolyPhaseCurrentAmps", "line_current_amperes"],
  ["PolyPhasePowerWatts", "line_power_watts"],
];

/** Link properties of power domains and facilities that lead to the equipment in them. */
const domainLinks = [
  "RackPDUs",
  "FloorPDUs",
  "TransferSwitches",
  "Switchgear",
  "PowerShelves",
  "ElectricalBuses",
  "CoolingUnits",
  "ContainsChassis",
];

function loopOf(uri: string): string | undefined {
  if (uri.includes("/PrimaryCoolantConnectors/")) return "primary";
  if (uri.includes("/SecondaryCoolantConnectors/")) return "secondary";
  return undefined;
}

/** Extracts the readings, conditions and next links of one resource fetched from `uri`. */
export function extractResource(resource: Resource, uri: string): Extraction {
  const readings: Reading[] = [];
  const conditions: Condition[] = [];
  const id = typeof resource["Id"] === "string" ? resource["Id"] : (uri.split("/").at(-1) ?? "");
  const add = (name: string, labels: Readonly<Record<string, string>>, value: number | undefined): void => {
    if (value !== undefined) readings.push({ name, labels, value });
  };
  const addFields = (
    fields: readonly (readonly [string, string])[],
    prefix: string,
    labels: Readonly<Record<string, string>>,
  ): void => {
    for (const [property, suffix] of fields) add(`${prefix}${suffix}`, labels, reading(resource[property]));
  };

  const status = resource["Status"];
  if (isRecord(status)) {
    const state = status["State"];
    // Disabled or absent parts report no meaningful health; a failed part (UnavailableOffline) does.
    if (state !== "Absent" && state !== "Disabled")
      add("redfish_health", { resource: uri }, stateValue(status["Health"]));
    const listed = status["Conditions"];
    if (Array.isArray(listed)) {
      for (const entry of listed) {
        if (!isRecord(entry) || typeof entry["MessageId"] !== "string") continue;
        const args = Array.isArray(entry["MessageArgs"]) ? entry["MessageArgs"].map(String) : [];
        conditions.push({
          messageId: entry["MessageId"],
          args,
          origin: odataId(entry["OriginOfCondition"]) ?? uri,
          ...(typeof entry["Severity"] === "string" ? { severity: entry["Severity"] } : {}),
          ...(typeof entry["Message"] === "string" ? { message: entry["Message"] } : {}),
        });
      }
    }
  }

  const type = resourceType(resource);
  switch (type) {
    case "CoolantConnector": {
      const loop = loopOf(uri);
      addFields(connectorFields, "", { connector: id, ...(loop === undefined ? {} : { loop }) });
      break;
    }
    case "Pump":
      add("pump_speed_percent", { pump: id }, reading(resource["PumpSpeedPercent"]));
      add("pump_service_hours", { pump: id }, reading(resource["ServiceHours"]));
      break;
    case "Filter":
      add("filter_service_hours", { filter: id }, reading(resource["ServiceHours"]));
      add("filter_rated_service_hours", { filter: id }, reading(resource["RatedServiceHours"]));
      break;
    case "Reservoir":
      add("reservoir_fluid_level_state", { reservoir: id }, stateValue(resource["FluidLevelStatus"]));
      add("reservoir_fluid_level_percent", { reservoir: id }, reading(resource["FluidLevelPercent"]));
      break;
    case "LeakDetector":
      add("leak_detector_state", { detector: id }, stateValue(resource["DetectorState"]));
      break;
    case "LeakDetection": {
      // Groups list their detectors inline; named like the detector resources so both give the same series.
      const groups = resource["LeakDetectorGroups"];
      if (!Array.isArray(groups)) break;
      for (const group of groups) {
        const detectors = isRecord(group) ? group["Detectors"] : undefined;
        if (!Array.isArray(detectors)) continue;
        for (const detector of detectors) {
          if (!isRecord(detector)) continue;
          const source = typeof detector["DataSourceUri"] === "string" ? detector["DataSourceUri"] : undefined;
          const name =
            source?.split("/").at(-1) ?? (typeof detector["DeviceName"] === "string" ? detector["DeviceName"] : "");
          if (name !== "") add("leak_detector_state", { detector: name }, stateValue(detector["DetectorState"]));
        }
      }
      break;
    }
    case "EnvironmentMetrics":
      addFields(environmentFields, "", {});
      break;
    case "PowerDistribution":
      add("power_capacity_va", {}, reading(resource["PowerCapacityVA"]));
      break;
    case "PowerDistributionMetrics":
      addFields(metricsFields, "", {});
      break;
    case "Circuit":
    case "Outlet": {
      const prefix = type === "Circuit" ? "circuit_" : "outlet_";
      const labels =
        type === "Circuit"
          ? {
              circuit: id,
              ...(typeof resource["CircuitType"] === "string" ? { circuit_type: resource["CircuitType"] } : {}),
            }
          : { outlet: id };
      addFields(circuitFields, prefix, labels);
      if (typeof resource["BreakerState"] === "string") {
        add(`${prefix}breaker_tripped`, labels, resource["BreakerState"] === "Tripped" ? 1 : 0);
      }
      for (const [property, suffix] of polyPhaseFields) {
        const lines = resource[property];
        if (!isRecord(lines)) continue;
        for (const [line, value] of Object.entries(lines))
          add(`${prefix}${suffix}`, { ...labels, line }, reading(value));
      }
      break;
    }
    case "Sensor": {
      const readingType = typeof resource["ReadingType"] === "string" ? resource["ReadingType"] : "";
      const name = sensorNames[readingType];
      const unit = typeof resource["ReadingUnits"] === "string" ? resource["ReadingUnits"] : "";
      add(
        name ?? "sensor_reading",
        name === undefined ? { sensor: id, unit } : { sensor: id },
        reading(resource["Reading"]),
      );
      break;
    }
  }

  return { readings, conditions, links: linksOf(resource, uri, type) };
}

/** Subordinate resources, collection members, and the equipment a power domain or facility links to. */
function linksOf(resource: Resource, uri: string, type: string): string[] {
  const links = new Set<string>();
  const below = `${uri.replace(/\/$/, "")}/`;
  const visit = (value: unknown, key: string): void => {
    // Actions hold targets to POST to, never resources to read; Links point sideways and would loop.
    if (key === "Actions" || key === "Links" || key === "Oem") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
      return;
    }
    if (!isRecord(value)) return;
    const target = value["@odata.id"];
    if (typeof target === "string" && (target.startsWith(below) || key === "Members")) links.add(target);
    for (const [childKey, child] of Object.entries(value)) if (childKey !== "@odata.id") visit(child, childKey);
  };
  for (const [key, value] of Object.entries(resource)) if (key !== "@odata.id") visit(value, key);
  if (type === "PowerDomain" || type === "Facility") {
    const linked = resource["Links"];
    if (isRecord(linked)) {
      for (const name of domainLinks) {
        const list = linked[name];
        if (Array.isArray(list))
          for (const item of list) {
            const target = odataId(item);
            if (target !== undefined) links.add(target);
          }
      }
    }
  }
  return [...links];
}
