/**
 * Modbus TCP register maps and devices, as the telemetry configuration writes them, and the decoding of register
 * words into readings. A register map belongs to a device model (the vendor's manual lists it once per model); each
 * device names its model and the site equipment it is, like a Redfish binding does:
 *
 * ```yaml
 * modbus:
 *   models:
 *     acme-cdu-x1:
 *       - { metric: cdu_supply_temperature_celsius, function: input, address: 0, type: float32, unit: celsius }
 *       - { metric: cdu_return_temperature_celsius, function: input, address: 2, type: float32, wordOrder: little }
 *       - { metric: cdu_secondary_flow_lpm, function: input, address: 4, type: uint16, scale: 0.1, unit: L/min }
 *       - { metric: cdu_pump_state, function: holding, address: 0, type: uint16 }
 *       - { metric: leak_detector_state, function: coil, address: 0 }
 *   devices:
 *     - name: cdu-h2-r08-01
 *       host: 10.20.8.11             # port 502 unless given
 *       unitId: 1
 *       model: acme-cdu-x1
 *       equipment: cdu:h2-r08-01     # the site id: becomes the `equipment` label of every series
 *       intervalSeconds: 10
 *       timeoutSeconds: 2
 *       staleAfterSeconds: 35        # no good read for this long: the device's readings are stale (an alarm)
 * ```
 *
 * Word order: Modbus puts each 16-bit register big-endian on the wire, but says nothing of how 32-bit values span
 * two registers; `big` (the default: high word at the lower address, "ABCD") and `little` (low word first, "CDAB",
 * common on Schneider and some CDU controllers) cover what devices do.
 */
import { type Static, Type } from "typebox";
import { formatPath } from "../../../model/diagnostics.ts";
import { checkSchema, closedObject } from "../../../model/schema-check.ts";
import { failure, type Labels, type Result, success } from "../../types.ts";

/** Modbus tables: holding registers (FC 3), input registers (FC 4), coils (FC 1), discrete inputs (FC 2). */
export const modbusFunctions = ["holding", "input", "coil", "discrete"] as const;
/** One Modbus table. */
export type ModbusFunction = (typeof modbusFunctions)[number];

/** Value types of registers; `bool` is the only type of coils and discrete inputs. */
export const registerTypes = ["int16", "uint16", "int32", "uint32", "float32", "bool"] as const;
/** One value type. */
export type RegisterType = (typeof registerTypes)[number];

/** How the two registers of a 32-bit value are ordered. */
export type WordOrder = "big" | "little";

/** One point of a register map. */
export interface RegisterPoint {
  readonly metric: string;
  readonly function: ModbusFunction;
  /** Zero-based protocol address (register 40001 of a manual is holding address 0). */
  readonly address: number;
  readonly type: RegisterType;
  readonly wordOrder: WordOrder;
  /** Reading = raw × scale + offset. */
  readonly scale: number;
  readonly offset: number;
  /** Unit of the reading after scaling, kept as the `unit` label so readers know what they have. */
  readonly unit?: string;
  readonly labels: Labels;
}

/** One Modbus TCP device. */
export interface ModbusDevice {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly unitId: number;
  readonly model: string;
  /** Site id of the equipment (`cdu:h2-r08-01`); becomes the `equipment` label. */
  readonly equipment?: string;
  readonly labels: Labels;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly staleAfterMs: number;
  /** Longest wait between attempts while the device fails (backoff doubles from the interval up to this). */
  readonly maxBackoffMs: number;
  readonly points: readonly RegisterPoint[];
}

/** Registers a type spans. */
export function registerCount(type: RegisterType): number {
  return type === "int32" || type === "uint32" || type === "float32" ? 2 : 1;
}

const scratch = new DataView(new ArrayBuffer(4));

/**
 * The raw value of a point from the words read at its address (`words[0]` is the register at the point's address),
 * before scale and offset.
 */
export function decodeWords(words: ArrayLike<number>, type: RegisterType, wordOrder: WordOrder): number {
  const first = words[0]! & 0xffff;
  switch (type) {
    case "bool":
      return first === 0 ? 0 : 1;
    case "uint16":
      return first;
    case "int16":
      return first >= 0x8000 ? first - 0x10000 : first;
  }
  const second = words[1]! & 0xffff;
  const [high, low] = wordOrder === "big" ? [first, second] : [second, first];
  scratch.setUint16(0, high);
  scratch.setUint16(2, low);
  if (type === "uint32") return scratch.getUint32(0);
  if (type === "int32") return scratch.getInt32(0);
  return scratch.getFloat32(0);
}

/** A contiguous read covering several points of one table. */
export interface ReadBlock {
  readonly function: ModbusFunction;
  readonly address: number;
  readonly count: number;
  readonly points: readonly RegisterPoint[];
}

/** Most registers one read asks for (the protocol allows 125; coils 2000). */
const maxRegistersPerRead = 120;
const maxBitsPerRead = 2000;
/** Unused registers a read may span to join two points rather than make two round trips. */
const maxGap = 8;

/** Groups points into as few reads as the protocol limits allow, joining neighbours across small gaps. */
export function planReads(points: readonly RegisterPoint[]): ReadBlock[] {
  const blocks: ReadBlock[] = [];
  for (const table of modbusFunctions) {
    const sorted = points.filter((point) => point.function === table).sort((a, b) => a.address - b.address);
    const limit = table === "coil" || table === "discrete" ? maxBitsPerRead : maxRegistersPerRead;
    let current: { address: number; end: number; points: RegisterPoint[] } | undefined;
    for (const point of sorted) {
      const end = point.address + registerCount(point.type);
      if (current !== undefined && point.address - current.end <= maxGap && end - current.address <= limit) {
        current.end = Math.max(current.end, end);
        current.points.push(point);
        continue;
      }
      if (current !== undefined) {
        blocks.push({
          function: table,
          address: current.address,
          count: current.end - current.address,
          points: current.points,
        });
      }
      current = { address: point.address, end, points: [point] };
    }
    if (current !== undefined) {
      blocks.push({
        function: table,
        address: current.address,
        count: current.end - current.address,
        points: current.points,
      });
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding the configuration.

const seconds = (description: string, fallback?: number) =>
  Type.Number({ exclusiveMinimum: 0, description, ...(fallback === undefined ? {} : { default: fallback }) });
const labelMap = () =>
  Type.Record(Type.String(), Type.String(), { default: {}, description: "labels of every series" });

/**
 * One point of a register map as the file writes it. Its defaults are applied by `resolvePoint`: TypeBox fills
 * defaults of list items but not of a mapping's values (the `models` map).
 */
export const RegisterPointSchema = closedObject({
  metric: Type.String({
    pattern: "^[a-zA-Z_:][a-zA-Z0-9_:]*$",
    patternErrorMessage: "expected a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*",
  }),
  function: Type.Enum(modbusFunctions),
  address: Type.Integer({ minimum: 0, maximum: 65_535, description: "zero-based protocol address" }),
  type: Type.Optional(Type.Enum(registerTypes, { description: "bool for coils and discrete inputs (their default)" })),
  wordOrder: Type.Optional(Type.Enum(["big", "little"], { default: "big" })),
  scale: Type.Optional(Type.Number({ default: 1, description: "reading = raw × scale + offset" })),
  offset: Type.Optional(Type.Number({ default: 0 })),
  unit: Type.Optional(Type.String({ minLength: 1, maxLength: 32, description: "such as celsius, kW or L/min" })),
  labels: Type.Optional(labelMap()),
});

/** One Modbus TCP device as the file writes it. */
export const ModbusDeviceSchema = closedObject({
  name: Type.String({ pattern: "\\S" }),
  host: Type.String({ pattern: "^[a-zA-Z0-9.:[\\]-]+$", patternErrorMessage: "expected a host name or IP address" }),
  port: Type.Integer({ minimum: 1, maximum: 65_535, default: 502 }),
  unitId: Type.Integer({ minimum: 0, maximum: 255, default: 1 }),
  model: Type.String({ pattern: "\\S", description: "a model under modbus.models" }),
  equipment: Type.Optional(
    Type.String({ pattern: "\\S", description: "site id (cdu:h2-r08-01): the equipment label of every series" }),
  ),
  labels: labelMap(),
  intervalSeconds: seconds("time between reads", 10),
  timeoutSeconds: Type.Optional(seconds("per read, at most intervalSeconds (default: the smaller of 3 and it)")),
  staleAfterSeconds: Type.Optional(seconds("no good read this long: readings are stale (3.5 intervals)")),
  maxBackoffSeconds: Type.Optional(seconds("longest wait between attempts while failing (300, or the interval)")),
});

/** The `modbus` section of the telemetry configuration: register maps by device model, and devices. */
export const ModbusConfigSchema = closedObject({
  models: Type.Record(Type.String(), Type.Array(RegisterPointSchema, { minItems: 1 }), {
    default: {},
    description: "device model → its register map",
  }),
  devices: Type.Array(ModbusDeviceSchema),
});

/** The point a checked entry gives, or a problem (a type its table cannot hold, a value past the last register). */
function resolvePoint(item: Static<typeof RegisterPointSchema>, at: string, problems: string[]): RegisterPoint {
  const bits = item.function === "coil" || item.function === "discrete";
  const type = item.type ?? (bits ? "bool" : undefined);
  if (type === undefined) {
    problems.push(`${at}.type: required for registers: int16, uint16, int32, uint32 or float32`);
  } else if (bits !== (type === "bool")) {
    problems.push(
      `${at}.type: coils and discrete inputs are bool; registers are int16, uint16, int32, uint32 or float32`,
    );
  } else if (item.address + registerCount(type) > 65_536) {
    problems.push(`${at}.address: the value runs past register 65535`);
  }
  return {
    metric: item.metric,
    function: item.function,
    address: item.address,
    type: type ?? "uint16",
    wordOrder: item.wordOrder ?? "big",
    scale: item.scale ?? 1,
    offset: item.offset ?? 0,
    ...(item.unit === undefined ? {} : { unit: item.unit }),
    labels: item.labels ?? {},
  };
}

/**
 * Decodes the `modbus` section: its shape by `ModbusConfigSchema`, then the rules between fields (types per table,
 * known models, unique names, timeout ≤ interval < stale); fails with every problem by its path.
 */
export function decodeModbusConfig(value: unknown, path = "modbus"): Result<ModbusDevice[]> {
  const checked = checkSchema(ModbusConfigSchema, value, { path: [path] });
  if (!checked.ok)
    return failure(checked.problems.map((problem) => `${formatPath(problem.path)}: ${problem.message}`).join("\n"));
  const problems: string[] = [];
  const models = new Map<string, RegisterPoint[]>();
  for (const [model, list] of Object.entries(checked.value.models)) {
    models.set(
      model,
      list.map((item, index) => resolvePoint(item, `${formatPath([path, "models", model, index])}`, problems)),
    );
  }
  const names = new Set<string>();
  const devices = checked.value.devices.map((item, index): ModbusDevice => {
    const at = formatPath([path, "devices", index]);
    if (names.has(item.name)) problems.push(`${at}.name: ${item.name} is used twice`);
    names.add(item.name);
    if (!models.has(item.model)) {
      problems.push(`${at}.model: must name a model under ${path}.models (${[...models.keys()].join(", ") || "none"})`);
    }
    const interval = item.intervalSeconds;
    const timeout = item.timeoutSeconds ?? Math.min(3, interval);
    const stale = item.staleAfterSeconds ?? interval * 3.5;
    if (timeout > interval) problems.push(`${at}.timeoutSeconds: must not exceed intervalSeconds (${interval})`);
    if (stale <= interval) problems.push(`${at}.staleAfterSeconds: must exceed intervalSeconds (${interval})`);
    return {
      name: item.name,
      host: item.host,
      port: item.port,
      unitId: item.unitId,
      model: item.model,
      ...(item.equipment === undefined ? {} : { equipment: item.equipment }),
      labels: item.labels,
      intervalMs: interval * 1000,
      timeoutMs: timeout * 1000,
      staleAfterMs: stale * 1000,
      maxBackoffMs: (item.maxBackoffSeconds ?? Math.max(300, interval)) * 1000,
      points: models.get(item.model) ?? [],
    };
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(devices);
}
