/**
 * Readings from Redfish resources, by schema type: cooling units and loops, their coolant connectors, pumps,
 * filters, reservoirs and leak detectors; power distribution equipment, its metrics, circuits and outlets; sensors
 * (units.ts: by ReadingType or ReadingUnits, converted to the series' unit); server chassis in the legacy
 * Power/Thermal shape and the PowerSubsystem/ThermalSubsystem one (chassis.ts); facilities and power domains. Each
 * reading gets an alixan series name (units in the name, Prometheus style) and labels naming the component;
 * `Status.Health` of every resource becomes `redfish_health` (0 OK, 1 Warning, 2 Critical) and `Status.Conditions`
 * are passed on for alarms. A part whose `Status.State` is Absent gives no readings.
 *
 * What a live resource should give but does not (a null reading, a unit that does not fit its quantity, a leak
 * detector state that is not OK/Warning/Critical) becomes a problem naming the resource and property, shown in the
 * poll's status, never a sample in the wrong unit nor a quiet gap.
 *
 * Also says which linked resources to visit next: subordinate resources (whose URI extends this one's), collection
 * members and the collection's next page (`Members@odata.nextLink`), and for power domains and facilities the
 * equipment they link to; URIs without trailing slashes or fragments, so that each resource is read once.
 */
import { isRecord } from "../../../core/records.ts";
import {
  extractFan,
  extractFanSpeeds,
  extractLegacyPower,
  extractLegacyThermal,
  extractPowerSupplyMetrics,
  extractThermalMetrics,
} from "./chassis.ts";
import { contextTemperatureSeries, sensorUnit } from "./units.ts";
import {
  canonicalUri,
  dataSourceOf,
  type Emit,
  isAbsent,
  isLive,
  normaliseUri,
  readProperty,
  readRequired,
  readValue,
  stateValue,
} from "./values.ts";

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
  /** Readings the resource should give but that could not be read (null, unknown unit or state), each naming why. */
  readonly problems: string[];
  /** The schema read (`Sensor`, `ThermalMetrics`…; empty when the resource names none). */
  readonly type: string;
  /** Sensors that copied readings come from, to read for what they measure (normalised URIs). */
  readonly sources: string[];
}

/** `#CoolantConnector.v1_3_0.CoolantConnector` → `CoolantConnector`. */
function resourceType(resource: Resource): string {
  const type = resource["@odata.type"];
  if (typeof type !== "string") return "";
  const parts = type.replace(/^#/, "").split(".");
  return parts.at(-1) ?? "";
}

/** The `@odata.id` of a link object (`{ "@odata.id": "/redfish/v1/…" }`). */
export function odataId(value: unknown): string | undefined {
  return isRecord(value) && typeof value["@odata.id"] === "string" ? value["@odata.id"] : undefined;
}

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

/** Besides `TemperatureCelsius`, named by what it measures (extractEnvironmentTemperature). */
const environmentFields: readonly (readonly [string, string])[] = [
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
  const problems: string[] = [];
  const sources = new Set<string>();
  const path = normaliseUri(uri).split("?")[0]!;
  const id = typeof resource["Id"] === "string" ? resource["Id"] : (path.split("/").at(-1) ?? "");
  // A part that is not there gives no readings, whatever numbers it still carries.
  const absent = isAbsent(resource);
  const emit: Emit = {
    uri,
    live: isLive(resource),
    add: (name, labels, value) => {
      if (value !== undefined && !absent) readings.push({ name, labels, value });
    },
    problem: (text) => {
      if (!absent) problems.push(`${uri}: ${text}`);
    },
    source: (source) => {
      if (!absent) sources.add(normaliseUri(source));
    },
  };
  const addFields = (
    fields: readonly (readonly [string, string])[],
    prefix: string,
    labels: Readonly<Record<string, string>>,
  ): void => {
    for (const [property, suffix] of fields)
      emit.add(`${prefix}${suffix}`, labels, readProperty(resource, property, emit));
  };

  const status = resource["Status"];
  if (isRecord(status)) {
    const state = status["State"];
    // Disabled or absent parts report no meaningful health; a failed part (UnavailableOffline) does.
    if (state !== "Absent" && state !== "Disabled") readings.push(...healthReading(uri, stateValue(status["Health"])));
    conditions.push(...conditionsOf(status, uri));
  }

  const type = resourceType(resource);
  switch (type) {
    case "CoolantConnector": {
      const loop = loopOf(uri);
      addFields(connectorFields, "", { connector: id, ...(loop === undefined ? {} : { loop }) });
      break;
    }
    case "CoolingUnit":
      emit.add("cooling_capacity_watts", {}, readProperty(resource, "CoolingCapacityWatts", emit));
      break;
    case "CoolingLoop":
      emit.add("coolant_level_percent", { cooling_loop: id }, readProperty(resource, "CoolantLevelPercent", emit));
      emit.add("coolant_level_state", { cooling_loop: id }, stateValue(resource["CoolantLevelStatus"]));
      emit.add("coolant_quality_state", { cooling_loop: id }, stateValue(resource["CoolantQuality"]));
      break;
    case "Pump":
      emit.add("pump_speed_percent", { pump: id }, readProperty(resource, "PumpSpeedPercent", emit));
      emit.add("pump_service_hours", { pump: id }, readProperty(resource, "ServiceHours", emit));
      break;
    case "Filter":
      emit.add("filter_service_hours", { filter: id }, readProperty(resource, "ServiceHours", emit));
      emit.add("filter_rated_service_hours", { filter: id }, readProperty(resource, "RatedServiceHours", emit));
      break;
    case "Reservoir":
      emit.add("reservoir_fluid_level_state", { reservoir: id }, stateValue(resource["FluidLevelStatus"]));
      emit.add("reservoir_fluid_level_percent", { reservoir: id }, readProperty(resource, "FluidLevelPercent", emit));
      break;
    case "LeakDetector":
      emit.add("leak_detector_state", { detector: id }, detectorState(resource, emit, "DetectorState"));
      break;
    case "LeakDetection":
      extractLeakDetectorGroups(resource, emit);
      break;
    case "EnvironmentMetrics":
      extractEnvironmentTemperature(resource, path, emit);
      extractPowerLimitExcerpt(resource, emit);
      addFields(environmentFields, "", {});
      extractFanSpeeds(resource, emit);
      break;
    case "PowerDistribution":
      emit.add("power_capacity_va", {}, readProperty(resource, "PowerCapacityVA", emit));
      break;
    case "PowerDistributionMetrics":
      addFields(metricsFields, "", {});
      break;
    case "Circuit":
    case "Outlet":
      extractCircuit(resource, type, id, emit);
      break;
    case "Sensor":
      extractSensor(resource, id, emit);
      break;
    case "Control":
      extractControl(resource, resource, id, emit, "");
      break;
    case "Power":
      extractLegacyPower(resource, emit);
      break;
    case "Thermal":
      extractLegacyThermal(resource, emit);
      break;
    case "ThermalMetrics":
      extractThermalMetrics(resource, emit);
      break;
    case "Fan":
      extractFan(resource, id, emit);
      break;
    case "PowerSubsystem":
      emit.add("power_capacity_watts", {}, readProperty(resource, "CapacityWatts", emit));
      break;
    case "PowerSupply":
      emit.add("power_supply_capacity_watts", { power_supply: id }, readProperty(resource, "PowerCapacityWatts", emit));
      break;
    case "PowerSupplyMetrics":
      // Its Id is "Metrics"; the supply it belongs to is the parent resource.
      extractPowerSupplyMetrics(resource, path.split("/").at(-2) ?? id, emit);
      break;
  }

  return { readings, conditions, problems, type, links: linksOf(resource, uri, type), sources: [...sources] };
}

function healthReading(uri: string, value: number | undefined): Reading[] {
  return value === undefined ? [] : [{ name: "redfish_health", labels: { resource: uri }, value }];
}

function conditionsOf(status: Readonly<Record<string, unknown>>, uri: string): Condition[] {
  const listed = status["Conditions"];
  if (!Array.isArray(listed)) return [];
  const conditions: Condition[] = [];
  for (const entry of listed) {
    if (!isRecord(entry) || typeof entry["MessageId"] !== "string") continue;
    const args = Array.isArray(entry["MessageArgs"]) ? entry["MessageArgs"].map(String) : [];
    conditions.push({
      messageId: entry["MessageId"],
      args,
      origin: canonicalUri(odataId(entry["OriginOfCondition"]) ?? uri),
      ...(typeof entry["Severity"] === "string" ? { severity: entry["Severity"] } : {}),
      ...(typeof entry["Message"] === "string" ? { message: entry["Message"] } : {}),
    });
  }
  return conditions;
}

/**
 * A leak detector's `DetectorState` as 0/1/2. A live detector without one, or with a value that is not
 * OK/Warning/Critical, is a problem: a leak detector that cannot be read must not pass for a dry floor.
 */
function detectorState(detector: Readonly<Record<string, unknown>>, emit: Emit, name: string): number | undefined {
  const value = stateValue(detector["DetectorState"]);
  if (value === undefined && isLive(detector)) {
    emit.problem(
      `${name}: ${JSON.stringify(detector["DetectorState"] ?? null)} is not OK, Warning or Critical; the detector's state is unknown`,
    );
  }
  return value;
}

/** Groups list their detectors inline; named like the detector resources so both give the same series. */
function extractLeakDetectorGroups(resource: Resource, emit: Emit): void {
  const groups = resource["LeakDetectorGroups"];
  if (!Array.isArray(groups)) return;
  groups.forEach((group: unknown, groupIndex) => {
    const detectors = isRecord(group) ? group["Detectors"] : undefined;
    if (!Array.isArray(detectors)) return;
    detectors.forEach((detector: unknown, index) => {
      if (!isRecord(detector)) return;
      const name =
        dataSourceOf(detector)?.sensor ?? (typeof detector["DeviceName"] === "string" ? detector["DeviceName"] : "");
      if (name === "") return;
      const state = detectorState(
        detector,
        emit,
        `LeakDetectorGroups[${groupIndex}].Detectors[${index}] (${name}).DetectorState`,
      );
      emit.add("leak_detector_state", { detector: name }, state);
    });
  });
}

function extractCircuit(resource: Resource, type: "Circuit" | "Outlet", id: string, emit: Emit): void {
  const prefix = type === "Circuit" ? "circuit_" : "outlet_";
  const labels =
    type === "Circuit"
      ? {
          circuit: id,
          ...(typeof resource["CircuitType"] === "string" ? { circuit_type: resource["CircuitType"] } : {}),
        }
      : { outlet: id };
  for (const [property, suffix] of circuitFields)
    emit.add(`${prefix}${suffix}`, labels, readProperty(resource, property, emit));
  if (typeof resource["BreakerState"] === "string") {
    emit.add(`${prefix}breaker_tripped`, labels, resource["BreakerState"] === "Tripped" ? 1 : 0);
  }
  for (const [property, suffix] of polyPhaseFields) {
    const lines = resource[property];
    if (!isRecord(lines)) continue;
    for (const [line, value] of Object.entries(lines))
      emit.add(`${prefix}${suffix}`, { ...labels, line }, readValue(value, emit, `${property}.${line}`));
  }
}

/**
 * A Sensor's reading in the unit its series name says (units.ts): by `ReadingType`, else by `ReadingUnits`; a unit
 * that does not fit is a problem, not a sample. A sensor naming neither a known type nor unit keeps its unit as a
 * label of `sensor_reading`.
 */
function extractSensor(resource: Resource, id: string, emit: Emit): void {
  const readingType = typeof resource["ReadingType"] === "string" ? resource["ReadingType"] : "";
  const unit = typeof resource["ReadingUnits"] === "string" ? resource["ReadingUnits"] : "";
  const value = readRequired(resource, "Reading", emit);
  const basis = typeof resource["ReadingBasis"] === "string" ? resource["ReadingBasis"] : "";
  const found = sensorUnit(readingType, unit, basis);
  if (typeof found === "string") {
    emit.problem(found);
    return;
  }
  if (found === undefined) {
    emit.add("sensor_reading", { sensor: id, unit }, value);
    return;
  }
  const converted = value === undefined ? undefined : found.convert(value);
  emit.add(found.series, { sensor: id }, converted);
  // A server's inlet, exhaust and room temperatures under one name each whichever shape gives them (chassis.ts
  // does the same for the others).
  const place = contextTemperatureSeries(resource["PhysicalContext"]);
  if (found.series === "sensor_temperature_celsius" && place !== undefined) emit.add(place, { sensor: id }, converted);
}

/**
 * A Control's set point (DSP0268 Control: a server's power limit, public-cooling-unit's pump speed controls) in the
 * unit its `ControlType` says, converted from its `SetPointUnits` as a Sensor's reading is (units.ts):
 * `control_set_point_<quantity>_<unit>` (`control_set_point_power_watts`, `control_set_point_percent`), with the
 * `AllowableMin`/`AllowableMax` range as `control_allowable_min_…`/`control_allowable_max_…`, labelled `control`
 * and `control_type`. `control_active` is 0 when its `ControlMode` is Disabled: a disabled limit limits nothing,
 * so its set point (often 0) is not stored. A type alixan has no unit for keeps `SetPointUnits` as a `unit` label of
 * `control_set_point`; units that do not fit the type are a problem. `where` prefixes problems (an excerpt).
 */
function extractControl(
  holder: Readonly<Record<string, unknown>>,
  resource: Resource,
  id: string,
  emit: Emit,
  where: string,
  controlType = typeof holder["ControlType"] === "string" ? holder["ControlType"] : "",
): void {
  const labels = { control: id, ...(controlType === "" ? {} : { control_type: controlType }) };
  const mode = holder["ControlMode"];
  if (typeof mode === "string") emit.add("control_active", labels, mode === "Disabled" ? 0 : 1);
  if (mode === "Disabled" || isAbsent(resource)) return;
  const unit = typeof holder["SetPointUnits"] === "string" ? holder["SetPointUnits"] : "";
  const found = sensorUnit(controlType, unit);
  if (typeof found === "string") {
    emit.problem(`${where}SetPointUnits "${unit}" does not fit ControlType ${controlType}; set point not stored`);
    return;
  }
  const quantity = found === undefined ? "" : `_${found.series.replace(/^sensor_/, "")}`;
  const named = found === undefined && unit !== "" ? { ...labels, unit } : labels;
  for (const [property, name] of [
    ["SetPoint", "control_set_point"],
    ["AllowableMin", "control_allowable_min"],
    ["AllowableMax", "control_allowable_max"],
  ] as const) {
    const value = readProperty(holder, property, emit, where);
    emit.add(`${name}${quantity}`, named, value === undefined || found === undefined ? value : found.convert(value));
  }
}

/**
 * `EnvironmentMetrics.PowerLimitWatts`: an excerpt of the power limit Control (its SetPoint and range), read as
 * that Control is, named by its `DataSourceUri` (so the Control resource, when read too, gives the same series).
 */
function extractPowerLimitExcerpt(resource: Resource, emit: Emit): void {
  const excerpt = resource["PowerLimitWatts"];
  if (!isRecord(excerpt)) return;
  const id = dataSourceOf(excerpt)?.sensor ?? "PowerLimitWatts";
  extractControl({ SetPointUnits: "W", ...excerpt }, resource, id, emit, "PowerLimitWatts.", "Power");
}

/** Collections whose members are components of a system or chassis: an EnvironmentMetrics below one is theirs. */
const componentCollections = new Set([
  "Processors",
  "Memory",
  "Drives",
  "PCIeDevices",
  "NetworkAdapters",
  "Controllers",
  "Ports",
  "StorageControllers",
]);

/**
 * `EnvironmentMetrics.TemperatureCelsius` is the temperature of the resource the metrics belong to, not
 * necessarily the air's: DMTF's public-rackmount1 points a server chassis' at its CPU sensor. So it is named by
 * what it measures. With a `DataSourceUri`, as its sensor's own series, `sensor_temperature_celsius{sensor}` (the
 * Sensor resource, which the poller reads for it, adds the inlet, exhaust or ambient name its PhysicalContext gives,
 * and wins the duplicate: poller.ts); without one, by its owner: a facility's is ambient, a component's (processor, memory,
 * drive…) `component_temperature_celsius{component}`, any other's (a chassis, a cooling unit) `temperature_celsius`.
 */
function extractEnvironmentTemperature(resource: Resource, path: string, emit: Emit): void {
  const value = readProperty(resource, "TemperatureCelsius", emit);
  const excerpt = resource["TemperatureCelsius"];
  const source = isRecord(excerpt) ? dataSourceOf(excerpt) : undefined;
  if (source !== undefined) {
    emit.add("sensor_temperature_celsius", { sensor: source.sensor }, value);
    emit.source(source.uri);
    return;
  }
  const segments = path.split("/");
  // `…/<collection>/<owner>/EnvironmentMetrics`
  const owner = segments.at(-2) ?? "";
  const collection = segments.at(-3) ?? "";
  if (collection === "Facilities") emit.add("ambient_temperature_celsius", {}, value);
  else if (componentCollections.has(collection)) emit.add("component_temperature_celsius", { component: owner }, value);
  else emit.add("temperature_celsius", {}, value);
}

/** Subordinate resources, collection members (every page), and the equipment a power domain or facility links to. */
function linksOf(resource: Resource, uri: string, type: string): string[] {
  const links = new Set<string>();
  const below = `${normaliseUri(uri).split("?")[0]}/`;
  const visit = (value: unknown, key: string): void => {
    // Actions hold targets to POST to, never resources to read; Links point sideways and would loop.
    if (key === "Actions" || key === "Links" || key === "Oem") return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, key);
      return;
    }
    if (!isRecord(value)) return;
    const raw = value["@odata.id"];
    const target = typeof raw === "string" ? normaliseUri(raw) : undefined;
    if (target !== undefined && (target.startsWith(below) || key === "Members")) links.add(target);
    for (const [childKey, child] of Object.entries(value)) if (childKey !== "@odata.id") visit(child, childKey);
  };
  for (const [key, value] of Object.entries(resource)) if (key !== "@odata.id") visit(value, key);
  // A collection served in pages (DSP0266 § 7.4): the next page is read like the collection itself.
  const next = resource["Members@odata.nextLink"];
  if (typeof next === "string" && next !== "") links.add(normaliseUri(next));
  if (type === "PowerDomain" || type === "Facility") {
    const linked = resource["Links"];
    if (isRecord(linked)) {
      for (const name of domainLinks) {
        const list = linked[name];
        if (Array.isArray(list))
          for (const item of list) {
            const target = odataId(item);
            if (target !== undefined) links.add(normaliseUri(target));
          }
      }
    }
  }
  return [...links];
}
