/**
 * Branded physical units. A `Kilowatts` is a number at run time, but the compiler refuses to mix it with
 * `Megawatts` or `Celsius`: conversions live here and nowhere else.
 */

declare const unitBrand: unique symbol;
/** A number tagged with its unit at compile time only. */
export type Quantity<Unit extends string> = number & { readonly [unitBrand]: Unit };

/** Electrical or thermal power in kilowatts. */
export type Kilowatts = Quantity<"kW">;
/** Electrical power in watts (a single device, such as a GPU's power limit). */
export type Watts = Quantity<"W">;
/** Electrical or thermal power in megawatts. */
export type Megawatts = Quantity<"MW">;
/** Apparent power in kilovolt-amperes (transformer ratings). */
export type KilovoltAmperes = Quantity<"kVA">;
/** Energy in kilowatt-hours. */
export type KilowattHours = Quantity<"kWh">;
/** Energy in megawatt-hours. */
export type MegawattHours = Quantity<"MWh">;
/** Temperature in degrees Celsius. */
export type Celsius = Quantity<"degC">;
/** Temperature difference in kelvin (approach, rise, lift). */
export type Kelvin = Quantity<"K">;
/** Volumetric flow in litres per minute. */
export type LitersPerMinute = Quantity<"L/min">;
/** Volume in cubic metres. */
export type CubicMeters = Quantity<"m3">;
/** Volume in litres. */
export type Liters = Quantity<"L">;
/** Mass in kilograms. */
export type Kilograms = Quantity<"kg">;
/** Floor area in square metres. */
export type SquareMeters = Quantity<"m2">;
/** A dimensionless fraction between 0 and 1. */
export type Fraction = Quantity<"fraction">;

/** Tags a plain number as kilowatts. */
export const kilowatts = (value: number): Kilowatts => value as Kilowatts;
/** Tags a plain number as megawatts. */
export const megawatts = (value: number): Megawatts => value as Megawatts;
/** Tags a plain number as kVA. */
export const kilovoltAmperes = (value: number): KilovoltAmperes => value as KilovoltAmperes;
/** Tags a plain number as degrees Celsius. */
export const celsius = (value: number): Celsius => value as Celsius;
/** Tags a plain number as kelvin (a temperature difference). */
export const kelvin = (value: number): Kelvin => value as Kelvin;
/** Tags a plain number as litres per minute. */
export const litersPerMinute = (value: number): LitersPerMinute => value as LitersPerMinute;
/** Tags a plain number as cubic metres. */
export const cubicMeters = (value: number): CubicMeters => value as CubicMeters;
/** Tags a plain number as kilograms. */
export const kilograms = (value: number): Kilograms => value as Kilograms;
/** Tags a plain number as square metres. */
export const squareMeters = (value: number): SquareMeters => value as SquareMeters;
/** Tags a plain number as a fraction. */
export const fraction = (value: number): Fraction => value as Fraction;
/** Tags a plain number as kilowatt-hours. */
export const kilowattHours = (value: number): KilowattHours => value as KilowattHours;

/** Converts megawatts to kilowatts. */
export const megawattsToKilowatts = (value: Megawatts): Kilowatts => (value * 1000) as Kilowatts;
/** Converts kilowatts to watts. */
export const kilowattsToWatts = (value: Kilowatts): Watts => (value * 1000) as Watts;
/** Converts kilowatts to megawatts. */
export const kilowattsToMegawatts = (value: Kilowatts): Megawatts => (value / 1000) as Megawatts;
/** Converts kWh to MWh. */
export const kilowattHoursToMegawattHours = (value: KilowattHours): MegawattHours => (value / 1000) as MegawattHours;
/** Real power a transformer can carry: apparent rating times power factor. */
export const realPowerOf = (rating: KilovoltAmperes, powerFactor: Fraction): Kilowatts =>
  (rating * powerFactor) as Kilowatts;
/** Converts litres to cubic metres. */
export const litersToCubicMeters = (value: Liters): CubicMeters => (value / 1000) as CubicMeters;

/** Sums quantities of one unit without losing the brand. */
export function sumOf<Unit extends string>(values: Iterable<Quantity<Unit>>): Quantity<Unit> {
  let total = 0;
  for (const value of values) total += value;
  return total as Quantity<Unit>;
}

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const groupedPrecise = new Intl.NumberFormat("en-US", { maximumFractionDigits: 3 });

/** Formats a number with thousands separators and at most one decimal (`1,450.5`). */
export function formatNumber(value: number, precise = false): string {
  return (precise ? groupedPrecise : grouped).format(value);
}

/** Formats power for people: kW below 10 MW, MW above (`1,450 kW`, `127.5 MW`). */
export function formatPower(value: Kilowatts): string {
  return Math.abs(value) >= 10_000 ? `${formatNumber(value / 1000)} MW` : `${formatNumber(value)} kW`;
}
