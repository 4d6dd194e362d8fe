/**
 * Units of Redfish sensor readings (DSP0268 Sensor `ReadingType` and `ReadingUnits`, UCUM codes) and their
 * conversion to the unit an alixan series name carries. The one place where a Redfish reading changes unit.
 *
 * The schema fixes one unit per `ReadingType` (Power is `W`, Heat is `kW`, EnergykWh is `kW.h`…), but equipment
 * does not always follow it: DMTF's own public-pdu mockup writes `kW` for EnergykWh sensors and `C` for
 * temperatures, and some implementations leave `ReadingType` out and give only `ReadingUnits` (public-rackmount1's
 * IntakeTemp). So a reading is read by its `ReadingType` when given, else by its `ReadingUnits`; a unit the table
 * knows for that quantity is converted; any other unit is refused with a problem naming it, never stored as if it
 * were the series' unit.
 */

/** A quantity a sensor measures: the series its readings go to and the units it accepts (→ factor or function). */
interface Quantity {
  readonly series: string;
  /** The unit the schema requires (ReadingUnits "shall contain" it); the series' unit. */
  readonly unit: string;
  /** Accepted `ReadingUnits` → conversion to `unit`: a factor, or a function for offsets (temperatures). */
  readonly accepts: Readonly<Record<string, number | ((value: number) => number)>>;
}

const feetCubedPerMinuteInCubicMetres = 0.028316846592;

/** ReadingType → quantity. Units beyond the schema's own are spellings seen in equipment and mockups. */
const quantities: Readonly<Record<string, Quantity>> = {
  Temperature: {
    series: "sensor_temperature_celsius",
    unit: "Cel",
    accepts: {
      Cel: 1,
      C: 1,
      "°C": 1,
      degC: 1,
      K: (kelvin) => kelvin - 273.15,
      "[degF]": (fahrenheit) => ((fahrenheit - 32) * 5) / 9,
      F: (fahrenheit) => ((fahrenheit - 32) * 5) / 9,
    },
  },
  Humidity: { series: "sensor_humidity_percent", unit: "%", accepts: { "%": 1 } },
  Power: { series: "sensor_power_watts", unit: "W", accepts: { W: 1, kW: 1000, mW: 0.001 } },
  // public-pdu writes "kW" for its EnergykWh sensors; the ReadingType says what the number is.
  EnergykWh: {
    series: "sensor_energy_kwh",
    unit: "kW.h",
    accepts: { "kW.h": 1, kWh: 1, kW: 1, "W.h": 0.001, "MW.h": 1000 },
  },
  EnergyWh: { series: "sensor_energy_wh", unit: "W.h", accepts: { "W.h": 1, Wh: 1, "kW.h": 1000 } },
  EnergyJoules: { series: "sensor_energy_joules", unit: "J", accepts: { J: 1, kJ: 1000, MJ: 1e6 } },
  ChargeAh: { series: "sensor_charge_ah", unit: "A.h", accepts: { "A.h": 1, Ah: 1 } },
  Current: { series: "sensor_current_amperes", unit: "A", accepts: { A: 1, mA: 0.001 } },
  Voltage: { series: "sensor_voltage_volts", unit: "V", accepts: { V: 1, mV: 0.001, kV: 1000 } },
  Frequency: { series: "sensor_frequency_hertz", unit: "Hz", accepts: { Hz: 1 } },
  // `Pressure` is the deprecated name of PressurePa.
  Pressure: { series: "sensor_pressure_pa", unit: "Pa", accepts: { Pa: 1, kPa: 1000 } },
  PressurePa: { series: "sensor_pressure_pa", unit: "Pa", accepts: { Pa: 1, kPa: 1000 } },
  PressurekPa: {
    series: "sensor_pressure_kpa",
    unit: "kPa",
    accepts: { kPa: 1, Pa: 0.001, bar: 100, "[psi]": 6.894757293168 },
  },
  LiquidLevel: { series: "sensor_liquid_level_cm", unit: "cm", accepts: { cm: 1, mm: 0.1, m: 100 } },
  Rotational: { series: "sensor_speed_rpm", unit: "RPM", accepts: { RPM: 1, "{rev}/min": 1, rpm: 1 } },
  AirFlow: {
    series: "sensor_air_flow_cfm",
    unit: "[ft_i]3/min",
    accepts: { "[ft_i]3/min": 1, "m3/min": 1 / feetCubedPerMinuteInCubicMetres },
  },
  AirFlowCMM: {
    series: "sensor_air_flow_cmm",
    unit: "m3/min",
    accepts: { "m3/min": 1, "[ft_i]3/min": feetCubedPerMinuteInCubicMetres },
  },
  LiquidFlow: { series: "sensor_liquid_flow_lps", unit: "L/s", accepts: { "L/s": 1, "L/min": 1 / 60 } },
  LiquidFlowLPM: { series: "sensor_liquid_flow_lpm", unit: "L/min", accepts: { "L/min": 1, "L/s": 60 } },
  Barometric: { series: "sensor_barometric_mmhg", unit: "mm[Hg]", accepts: { "mm[Hg]": 1 } },
  Altitude: { series: "sensor_altitude_m", unit: "m", accepts: { m: 1 } },
  // public-cooling-unit's pump speed Controls write SetPointUnits "Percent".
  Percent: { series: "sensor_percent", unit: "%", accepts: { "%": 1, Percent: 1 } },
  AbsoluteHumidity: { series: "sensor_absolute_humidity_gpm3", unit: "g/m3", accepts: { "g/m3": 1 } },
  Heat: { series: "sensor_heat_kw", unit: "kW", accepts: { kW: 1, W: 0.001 } },
};

/**
 * A temperature whose `ReadingBasis` is `Delta` (public-cooling-unit's PrimaryDeltaTemp) is a difference: kelvin,
 * converted without the offsets of the absolute scales (a 18 °F rise is a 10 K rise, not −7.8 °C).
 */
const temperatureDifference: Quantity = {
  series: "sensor_delta_temperature_kelvin",
  unit: "K",
  accepts: { Cel: 1, C: 1, "°C": 1, degC: 1, K: 1, "[degF]": 5 / 9, F: 5 / 9 },
};

/**
 * `ReadingUnits` → the ReadingType it implies when a sensor gives no ReadingType. Only units that name one
 * quantity: `kW` (Power or Heat) reads as power, `%` (Humidity or Percent) as a percentage.
 */
const typeOfUnit: Readonly<Record<string, string>> = {
  Cel: "Temperature",
  C: "Temperature",
  "°C": "Temperature",
  W: "Power",
  kW: "Power",
  "kW.h": "EnergykWh",
  "W.h": "EnergyWh",
  J: "EnergyJoules",
  "A.h": "ChargeAh",
  A: "Current",
  V: "Voltage",
  Hz: "Frequency",
  kPa: "PressurekPa",
  Pa: "PressurePa",
  RPM: "Rotational",
  "{rev}/min": "Rotational",
  "[ft_i]3/min": "AirFlow",
  "m3/min": "AirFlowCMM",
  "L/s": "LiquidFlow",
  "L/min": "LiquidFlowLPM",
  "%": "Percent",
  "g/m3": "AbsoluteHumidity",
};

/** How to store a sensor's reading: its series and the conversion of its values. */
export interface SensorUnit {
  readonly series: string;
  readonly convert: (value: number) => number;
}

/**
 * The series and conversion for a sensor of `readingType` (may be empty) reporting in `readingUnits` (may be
 * empty) on `readingBasis` (`Delta` for differences); undefined when the sensor names neither a known type nor a
 * known unit (read as `sensor_reading` with its unit as a label); a problem text when the unit does not fit.
 */
export function sensorUnit(
  readingType: string,
  readingUnits: string,
  readingBasis = "",
): SensorUnit | string | undefined {
  const type = readingType !== "" ? readingType : (typeOfUnit[readingUnits] ?? "");
  const quantity = type === "Temperature" && readingBasis === "Delta" ? temperatureDifference : quantities[type];
  if (quantity === undefined) return undefined;
  if (readingUnits === "") return { series: quantity.series, convert: (value) => value };
  const conversion = quantity.accepts[readingUnits];
  if (conversion === undefined) {
    return `ReadingUnits "${readingUnits}" is not a unit of ReadingType ${type} (expected ${quantity.unit}); reading not stored`;
  }
  return {
    series: quantity.series,
    convert: typeof conversion === "number" ? (value) => value * conversion : conversion,
  };
}

/** Legacy `Thermal.Fans[].ReadingUnits` (`RPM` or `Percent`) → series suffix; undefined for anything else. */
export function fanSeries(readingUnits: unknown): string | undefined {
  if (readingUnits === "RPM") return "fan_speed_rpm";
  if (readingUnits === "Percent") return "fan_speed_percent";
  return undefined;
}

/**
 * The place-named series a temperature also goes to, by the `PhysicalContext` of its sensor (DSP0268
 * PhysicalContext): the air entering (`Intake`), leaving (`Exhaust`) and around (`Room`) the equipment. A
 * component's temperature (`CPU`, `Memory`, `SystemBoard`…) has none: it stays `sensor_temperature_celsius`
 * labelled by its sensor, never passed off as the air's.
 */
export function contextTemperatureSeries(physicalContext: unknown): string | undefined {
  if (physicalContext === "Intake") return "inlet_temperature_celsius";
  if (physicalContext === "Exhaust") return "exhaust_temperature_celsius";
  if (physicalContext === "Room") return "ambient_temperature_celsius";
  return undefined;
}
