/**
 * Outdoor weather for the twin: hourly dry bulb, dew point, relative humidity and the derived wet bulb, from an
 * EnergyPlus weather file (EPW) or from a typical year generated out of compact monthly normals for Valence, with an
 * optional heat wave laid over it. The kernel interpolates the hourly values to its step.
 */
import { readFileSync } from "node:fs";
import { failure, type Outcome, success } from "./outcome.ts";
import { seededNormal, seededUniform } from "./random.ts";
import { secondsPer } from "./time.ts";

/** Hourly outdoor conditions over a year (8,760 hours, 8,784 for a leap-year EPW). */
export interface Weather {
  readonly name: string;
  /** Seconds after the start of the year at which sample 0 applies (EPW values describe the end of each hour). */
  readonly firstSampleS: number;
  readonly dryBulbC: Float64Array;
  readonly dewPointC: Float64Array;
  /** Relative humidity, percent. */
  readonly relativeHumidity: Float64Array;
  readonly wetBulbC: Float64Array;
}

/** Saturation vapour pressure over water, hPa (Magnus formula, WMO coefficients). */
function saturationPressureHpa(temperatureC: number): number {
  return 6.112 * Math.exp((17.62 * temperatureC) / (243.12 + temperatureC));
}

/** Relative humidity (%) from dry bulb and dew point. */
export function relativeHumidityOf(dryBulbC: number, dewPointC: number): number {
  return Math.min(100, (100 * saturationPressureHpa(dewPointC)) / saturationPressureHpa(dryBulbC));
}

/** Dew point (°C) from dry bulb and relative humidity (%), inverting the Magnus formula. */
export function dewPointOf(dryBulbC: number, relativeHumidity: number): number {
  const gamma = Math.log(Math.max(1, relativeHumidity) / 100) + (17.62 * dryBulbC) / (243.12 + dryBulbC);
  return (243.12 * gamma) / (17.62 - gamma);
}

/**
 * Wet-bulb temperature (°C) from dry bulb and relative humidity at sea-level pressure, by Stull's empirical fit
 * (J. Appl. Meteor. Climatol. 2011; ±0.3 K for 5–99 % RH and −20–50 °C, which covers the Rhône valley).
 */
export function wetBulbOf(dryBulbC: number, relativeHumidity: number): number {
  const rh = Math.min(99, Math.max(5, relativeHumidity));
  const wetBulb =
    dryBulbC * Math.atan(0.151977 * Math.sqrt(rh + 8.313659)) +
    Math.atan(dryBulbC + rh) -
    Math.atan(rh - 1.676331) +
    0.00391838 * rh ** 1.5 * Math.atan(0.023101 * rh) -
    4.686035;
  return Math.min(dryBulbC, wetBulb);
}

function withWetBulb(
  name: string,
  firstSampleS: number,
  dryBulbC: Float64Array,
  dewPointC: Float64Array,
  relativeHumidity: Float64Array,
): Weather {
  const wetBulbC = new Float64Array(dryBulbC.length);
  for (let hour = 0; hour < dryBulbC.length; hour++) {
    wetBulbC[hour] = wetBulbOf(dryBulbC[hour]!, relativeHumidity[hour]!);
  }
  return { name, firstSampleS, dryBulbC, dewPointC, relativeHumidity, wetBulbC };
}

/** Linear interpolation of an hourly series at `timeS`, wrapping around the end of the year. */
export function sampleHourly(values: Float64Array, firstSampleS: number, timeS: number): number {
  const count = values.length;
  let position = (timeS - firstSampleS) / secondsPer.h;
  position -= Math.floor(position / count) * count;
  const index = Math.floor(position);
  const fraction = position - index;
  const next = index + 1 === count ? 0 : index + 1;
  return values[index]! * (1 - fraction) + values[next]! * fraction;
}

const epwHeaderLines = 8;

/** EPW columns the twin reads (0-based) with their names and plausible ranges; 99.9 / 999 mark missing data. */
const epwColumns = [
  { index: 6, name: "dry bulb", min: -70, max: 70, missing: 99.9 },
  { index: 7, name: "dew point", min: -70, max: 70, missing: 99.9 },
  { index: 8, name: "relative humidity", min: 0, max: 110, missing: 999 },
] as const;

/**
 * Parses an EPW weather file. Checks the header, the hourly row count (8,760 or 8,784) and every value the twin uses;
 * the first problem comes back as `file:line: column N (name) …`.
 */
export function parseEpw(text: string, fileName = "weather.epw"): Outcome<Weather> {
  // A byte-order mark (spreadsheet exports) and CR-only line breaks (old Mac tools) are the same file.
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  const location = lines[0] ?? "";
  if (!location.startsWith("LOCATION,")) {
    return failure(`${fileName}:1: not an EPW weather file (the first line must start with LOCATION,)`);
  }
  const rows = lines.length - epwHeaderLines;
  if (rows !== 8_760 && rows !== 8_784) {
    return failure(
      `${fileName}: expected 8,760 hourly rows (8,784 in a leap year) after ${epwHeaderLines} header lines, found ${Math.max(0, rows)}`,
    );
  }
  const series = epwColumns.map(() => new Float64Array(rows));
  for (let row = 0; row < rows; row++) {
    const lineNumber = row + epwHeaderLines + 1;
    const fields = lines[row + epwHeaderLines]!.split(",");
    if (fields.length < 9) {
      return failure(`${fileName}:${lineNumber}: expected at least 9 comma-separated fields, found ${fields.length}`);
    }
    const hour = Number(fields[3]);
    if (!Number.isInteger(hour) || hour < 1 || hour > 24) {
      return failure(`${fileName}:${lineNumber}: column 4 (hour) "${fields[3]}" is not an hour 1–24`);
    }
    // The twin reads row n as hour n of the year: a repeated or missing hour (with one too many elsewhere, so the
    // count still holds) would shift every later hour.
    if (hour !== (row % 24) + 1) {
      return failure(
        `${fileName}:${lineNumber}: column 4 (hour) ${hour} where hour ${(row % 24) + 1} was expected (each day runs hours 1–24 in order)`,
      );
    }
    for (let column = 0; column < epwColumns.length; column++) {
      const spec = epwColumns[column]!;
      const raw = fields[spec.index]!.trim();
      const value = Number(raw);
      const label = `column ${spec.index + 1} (${spec.name})`;
      // Number() alone reads "0x10" as 16 and "" as 0: only a decimal number is a reading.
      if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw) || !Number.isFinite(value)) {
        return failure(`${fileName}:${lineNumber}: ${label} "${raw}" is not a number`);
      }
      if (value === spec.missing) return failure(`${fileName}:${lineNumber}: ${label} is missing (${spec.missing})`);
      if (value < spec.min || value > spec.max) {
        return failure(`${fileName}:${lineNumber}: ${label} ${value} is outside ${spec.min}…${spec.max}`);
      }
      series[column]![row] = value;
    }
  }
  const place = location.split(",")[1]?.trim() || fileName;
  return success(withWetBulb(`EPW ${place}`, secondsPer.h, series[0]!, series[1]!, series[2]!));
}

/** Reads and parses an EPW file; an unreadable file is an error value like a malformed one. */
export function readEpwFile(path: string): Outcome<Weather> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(
      `cannot read weather file ${path}: ${code === "ENOENT" ? "no such file" : (error as Error).message}`,
    );
  }
  return parseEpw(text, path);
}

/**
 * Monthly climate normals for Valence-Chabeuil (Météo-France station 26198001), approximately the 1991–2020 normals:
 * mean daily maximum and minimum (°C) and mean relative humidity (%). Mean July/August maximum about 28 °C
 * (DESIGN.md §6). Compact on purpose: the typical year is generated from these twelve rows.
 */
export const valenceNormals = {
  meanMaximumC: [8.4, 10.2, 14.6, 17.8, 21.9, 25.9, 28.6, 28.1, 23.6, 18.3, 12.3, 8.8],
  meanMinimumC: [0.9, 1.3, 4.3, 7.1, 11.0, 14.7, 16.8, 16.5, 12.9, 9.5, 4.8, 1.7],
  relativeHumidity: [81, 75, 68, 66, 68, 63, 58, 61, 68, 77, 80, 82],
} as const;

const daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** A monthly normal interpolated to a day of the year between mid-month points (wrapping December to January). */
function dailyNormal(monthly: readonly number[], dayOfYear: number): number {
  let monthStart = 0;
  const middles: number[] = [];
  for (const days of daysInMonth) {
    middles.push(monthStart + days / 2);
    monthStart += days;
  }
  const day = dayOfYear + 0.5;
  for (let month = 0; month < 12; month++) {
    const here = middles[month]!;
    const nextMonth = (month + 1) % 12;
    const there = month === 11 ? middles[0]! + 365 : middles[nextMonth]!;
    const shifted = day < middles[0]! ? day + 365 : day;
    if (shifted >= here && shifted < there) {
      const fraction = (shifted - here) / (there - here);
      return monthly[month]! * (1 - fraction) + monthly[nextMonth]! * fraction;
    }
  }
  return monthly[0]!;
}

// Day-to-day weather: anomalies persist (lag-1 correlation about 0.7 in mid-latitude daily temperature) with a
// standard deviation of about 3 K, which gives Valence its usual 33–36 °C summer peaks around a 28 °C mean maximum.
const anomalyPersistence = 0.7;
const temperatureAnomalyK = 3;
const dewPointAnomalyK = 2;

/** The hour of the daily minimum (just before sunrise) and maximum (mid-afternoon) of the diurnal cycle. */
const minimumHour = 6;
const maximumHour = 15;

/** Temperature at `hour` (0–24) of a day between its minimum, its maximum and the next day's minimum. */
function diurnal(hour: number, previousMaximum: number, minimum: number, maximum: number, nextMinimum: number): number {
  if (hour < minimumHour) {
    const fraction = (hour + 24 - maximumHour) / (24 - maximumHour + minimumHour);
    return previousMaximum - ((previousMaximum - minimum) * (1 - Math.cos(Math.PI * fraction))) / 2;
  }
  if (hour < maximumHour) {
    const fraction = (hour - minimumHour) / (maximumHour - minimumHour);
    return minimum + ((maximum - minimum) * (1 - Math.cos(Math.PI * fraction))) / 2;
  }
  const fraction = (hour - maximumHour) / (24 - maximumHour + minimumHour);
  return maximum - ((maximum - nextMinimum) * (1 - Math.cos(Math.PI * fraction))) / 2;
}

/**
 * A typical Valence year, hour by hour, generated from `valenceNormals` with persistent day-to-day anomalies drawn
 * from `seed`: the same seed gives the same year. Dew point follows the monthly mean humidity, so afternoons are
 * dry and nights humid as in the valley.
 */
export function valenceTypicalYear(seed = 1): Weather {
  const days = 365;
  const normal = seededNormal(seededUniform(seed ^ 0x5eed));
  const dailyMinimum = new Float64Array(days);
  const dailyMaximum = new Float64Array(days);
  const dailyDewPoint = new Float64Array(days);
  let anomaly = 0;
  let dewAnomaly = 0;
  const innovation = Math.sqrt(1 - anomalyPersistence * anomalyPersistence);
  for (let day = 0; day < days; day++) {
    anomaly = anomalyPersistence * anomaly + innovation * temperatureAnomalyK * normal();
    dewAnomaly = anomalyPersistence * dewAnomaly + innovation * dewPointAnomalyK * normal();
    const maximum = dailyNormal(valenceNormals.meanMaximumC, day);
    const minimum = dailyNormal(valenceNormals.meanMinimumC, day);
    // Clear hot days have a wider range than overcast cool ones: the minimum moves by 70 % of the anomaly.
    dailyMaximum[day] = maximum + anomaly;
    dailyMinimum[day] = minimum + 0.7 * anomaly;
    const mean = (maximum + minimum) / 2;
    dailyDewPoint[day] =
      dewPointOf(mean, dailyNormal(valenceNormals.relativeHumidity, day)) + 0.5 * anomaly + dewAnomaly;
  }
  const hours = days * 24;
  const dryBulbC = new Float64Array(hours);
  const dewPointC = new Float64Array(hours);
  const relativeHumidity = new Float64Array(hours);
  for (let hour = 0; hour < hours; hour++) {
    const day = Math.floor(hour / 24);
    const previous = day === 0 ? days - 1 : day - 1;
    const next = day === days - 1 ? 0 : day + 1;
    const temperature = diurnal(
      hour - day * 24,
      dailyMaximum[previous]!,
      dailyMinimum[day]!,
      dailyMaximum[day]!,
      dailyMinimum[next]!,
    );
    const dewPoint = Math.min(dailyDewPoint[day]!, temperature - 0.5);
    dryBulbC[hour] = temperature;
    dewPointC[hour] = dewPoint;
    relativeHumidity[hour] = relativeHumidityOf(temperature, dewPoint);
  }
  return withWetBulb(`Valence typical year (seed ${seed})`, 0, dryBulbC, dewPointC, relativeHumidity);
}

/** A heat wave laid over a weather year. */
export interface HeatWave {
  /** Start, seconds after the start of the year (midnight of the first hot day). */
  readonly startS: number;
  readonly days: number;
  /** Afternoon maximum, °C. */
  readonly peakC: number;
  /** Night minimum, °C. */
  readonly nightMinimumC: number;
}

/** The default heat wave: a Drôme canicule of 4 days at 40 °C by day and 24 °C at night from 20 July (§6). */
export const defaultHeatWave: HeatWave = { startS: 200 * secondsPer.d, days: 4, peakC: 40, nightMinimumC: 24 };

/**
 * A copy of `weather` with a heat wave: over its days the dry bulb follows the diurnal cycle between the night
 * minimum and the peak, blended into the base weather over six hours at each end; the air mass keeps the base dew
 * point, so humidity falls as in the dry heat waves of 2019 and 2022.
 */
export function withHeatWave(weather: Weather, wave: HeatWave): Weather {
  const dryBulbC = weather.dryBulbC.slice();
  const dewPointC = weather.dewPointC.slice();
  const relativeHumidity = weather.relativeHumidity.slice();
  const count = dryBulbC.length;
  const blendHours = 6;
  const firstHour = Math.round((wave.startS - weather.firstSampleS) / secondsPer.h);
  const lengthHours = wave.days * 24;
  for (let offset = -blendHours; offset < lengthHours + blendHours; offset++) {
    const index = (((firstHour + offset) % count) + count) % count;
    const hourOfDay = ((offset % 24) + 24) % 24;
    const hot = diurnal(hourOfDay, wave.peakC, wave.nightMinimumC, wave.peakC, wave.nightMinimumC);
    const weight =
      offset < 0
        ? (offset + blendHours) / blendHours
        : offset >= lengthHours
          ? (lengthHours + blendHours - offset) / blendHours
          : 1;
    const temperature = dryBulbC[index]! * (1 - weight) + hot * weight;
    dryBulbC[index] = temperature;
    dewPointC[index] = Math.min(dewPointC[index]!, temperature - 1);
    relativeHumidity[index] = relativeHumidityOf(temperature, dewPointC[index]!);
  }
  return withWetBulb(`${weather.name} + heat wave`, weather.firstSampleS, dryBulbC, dewPointC, relativeHumidity);
}

/** Weather by name (`valence`) or EPW path, with the seed for the generated year. */
export function resolveWeather(nameOrPath: string, seed: number): Outcome<Weather> {
  if (nameOrPath === "valence") return success(valenceTypicalYear(seed));
  if (!nameOrPath.toLowerCase().endsWith(".epw")) {
    return failure(`--weather: "${nameOrPath}" is neither "valence" nor an .epw file`);
  }
  return readEpwFile(nameOrPath);
}

/** Constant weather, for tests and what-if checks at a fixed outdoor condition. */
export function constantWeather(dryBulbC: number, relativeHumidity: number): Weather {
  const hours = 8_760;
  const dewPoint = dewPointOf(dryBulbC, relativeHumidity);
  return withWetBulb(
    `constant ${dryBulbC} °C ${relativeHumidity} %`,
    0,
    new Float64Array(hours).fill(dryBulbC),
    new Float64Array(hours).fill(dewPoint),
    new Float64Array(hours).fill(relativeHumidity),
  );
}
