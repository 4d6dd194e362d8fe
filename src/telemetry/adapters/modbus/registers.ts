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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((item) => typeof item === "string");
}

const pointKeys = ["metric", "function", "address", "type", "wordOrder", "scale", "offset", "unit", "labels"];
const deviceKeys = [
  "name",
  "host",
  "port",
  "unitId",
  "model",
  "equipment",
  "labels",
  "intervalSeconds",
  "timeoutSeconds",
  "staleAfterSeconds",
  "maxBackoffSeconds",
];

function decodePoint(item: unknown, at: string, problems: string[]): RegisterPoint | undefined {
  if (!isRecord(item)) {
    problems.push(`${at}: must be { metric, function, address, type }`);
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(item)) {
    if (!pointKeys.includes(key)) problems.push(`${at}.${key}: unknown (allowed: ${pointKeys.join(", ")})`);
  }
  const metric = item["metric"];
  if (typeof metric !== "string" || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) {
    problems.push(`${at}.metric: must be a series name matching [a-zA-Z_:][a-zA-Z0-9_:]*`);
  }
  const table = item["function"];
  if (!(modbusFunctions as readonly unknown[]).includes(table)) {
    problems.push(`${at}.function: must be one of ${modbusFunctions.join(", ")}`);
  }
  const address = item["address"];
  if (typeof address !== "number" || !Number.isInteger(address) || address < 0 || address > 65_535) {
    problems.push(`${at}.address: must be an integer 0–65535 (zero-based protocol address)`);
  }
  const bits = table === "coil" || table === "discrete";
  const type = item["type"] ?? (bits ? "bool" : undefined);
  if (!(registerTypes as readonly unknown[]).includes(type)) {
    problems.push(`${at}.type: must be one of ${registerTypes.join(", ")}`);
  } else if (bits !== (type === "bool")) {
    problems.push(
      `${at}.type: coils and discrete inputs are bool; registers are int16, uint16, int32, uint32 or float32`,
    );
  } else if (typeof address === "number" && address + registerCount(type as RegisterType) > 65_536) {
    problems.push(`${at}.address: the value runs past register 65535`);
  }
  const wordOrder = item["wordOrder"] ?? "big";
  if (wordOrder !== "big" && wordOrder !== "little") problems.push(`${at}.wordOrder: must be big or little`);
  const number = (key: string, fallback: number): number => {
    const value = item[key] ?? fallback;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      problems.push(`${at}.${key}: must be a finite number`);
      return fallback;
    }
    return value;
  };
  const scale = number("scale", 1);
  const offset = number("offset", 0);
  const unit = item["unit"];
  if (unit !== undefined && (typeof unit !== "string" || unit.length === 0 || unit.length > 32)) {
    problems.push(`${at}.unit: must be a short string such as celsius, kW or L/min`);
  }
  const labels = item["labels"] ?? {};
  if (!isStringRecord(labels)) problems.push(`${at}.labels: must be an object of strings`);
  if (problems.length > before) return undefined;
  return {
    metric: metric as string,
    function: table as ModbusFunction,
    address: address as number,
    type: type as RegisterType,
    wordOrder: wordOrder as WordOrder,
    scale,
    offset,
    ...(unit === undefined ? {} : { unit: unit as string }),
    labels: labels as Labels,
  };
}

/** Decodes the `modbus` section: models (register maps) and devices; fails with every problem by its path. */
export function decodeModbusConfig(value: unknown, path = "modbus"): Result<ModbusDevice[]> {
  if (!isRecord(value)) return failure(`${path}: must be { models: { <model>: [points] }, devices: [...] }`);
  const problems: string[] = [];
  for (const key of Object.keys(value)) {
    if (key !== "models" && key !== "devices") problems.push(`${path}.${key}: unknown (allowed: models, devices)`);
  }
  const models = new Map<string, RegisterPoint[]>();
  const rawModels = value["models"] ?? {};
  if (!isRecord(rawModels)) problems.push(`${path}.models: must map model names to lists of register points`);
  else {
    for (const [model, list] of Object.entries(rawModels)) {
      const at = `${path}.models.${model}`;
      if (!Array.isArray(list) || list.length === 0) {
        problems.push(`${at}: must list at least one register point`);
        continue;
      }
      const points: RegisterPoint[] = [];
      list.forEach((item: unknown, index) => {
        const point = decodePoint(item, `${at}[${index}]`, problems);
        if (point !== undefined) points.push(point);
      });
      models.set(model, points);
    }
  }
  const devices: ModbusDevice[] = [];
  const rawDevices = value["devices"];
  if (!Array.isArray(rawDevices)) {
    problems.push(`${path}.devices: must be a list of devices`);
    return failure(problems.join("\n"));
  }
  const names = new Set<string>();
  rawDevices.forEach((item: unknown, index) => {
    const at = `${path}.devices[${index}]`;
    if (!isRecord(item)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const before = problems.length;
    for (const key of Object.keys(item)) {
      if (!deviceKeys.includes(key)) problems.push(`${at}.${key}: unknown (allowed: ${deviceKeys.join(", ")})`);
    }
    const name = item["name"];
    if (typeof name !== "string" || name.length === 0) problems.push(`${at}.name: must be a non-empty string`);
    else if (names.has(name)) problems.push(`${at}.name: ${name} is used twice`);
    else names.add(name);
    const host = item["host"];
    if (typeof host !== "string" || !/^[a-zA-Z0-9.:[\]-]+$/.test(host)) {
      problems.push(`${at}.host: must be a host name or IP address`);
    }
    const port = item["port"] ?? 502;
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65_535) {
      problems.push(`${at}.port: must be an integer 1–65535`);
    }
    const unitId = item["unitId"] ?? 1;
    if (typeof unitId !== "number" || !Number.isInteger(unitId) || unitId < 0 || unitId > 255) {
      problems.push(`${at}.unitId: must be an integer 0–255`);
    }
    const model = item["model"];
    if (typeof model !== "string" || !models.has(model)) {
      problems.push(`${at}.model: must name a model under ${path}.models (${[...models.keys()].join(", ") || "none"})`);
    }
    const equipment = item["equipment"];
    if (equipment !== undefined && (typeof equipment !== "string" || equipment.length === 0)) {
      problems.push(`${at}.equipment: must be a site id such as cdu:h2-r08-01`);
    }
    const labels = item["labels"] ?? {};
    if (!isStringRecord(labels)) problems.push(`${at}.labels: must be an object of strings`);
    const seconds = (key: string, fallback: number): number => {
      const given = item[key];
      if (given === undefined) return fallback;
      if (typeof given !== "number" || !(given > 0)) {
        problems.push(`${at}.${key}: must be a positive number of seconds`);
        return fallback;
      }
      return given;
    };
    const interval = seconds("intervalSeconds", 10);
    const timeout = seconds("timeoutSeconds", Math.min(3, interval));
    const stale = seconds("staleAfterSeconds", interval * 3.5);
    const maxBackoff = seconds("maxBackoffSeconds", Math.max(300, interval));
    if (timeout > interval) problems.push(`${at}.timeoutSeconds: must not exceed intervalSeconds (${interval})`);
    if (stale <= interval) problems.push(`${at}.staleAfterSeconds: must exceed intervalSeconds (${interval})`);
    if (problems.length > before) return;
    devices.push({
      name: name as string,
      host: host as string,
      port: port as number,
      unitId: unitId as number,
      model: model as string,
      ...(equipment === undefined ? {} : { equipment: equipment as string }),
      labels: labels as Labels,
      intervalMs: interval * 1000,
      timeoutMs: timeout * 1000,
      staleAfterMs: stale * 1000,
      maxBackoffMs: maxBackoff * 1000,
      points: models.get(model as string)!,
    });
  });
  return problems.length > 0 ? failure(problems.join("\n")) : success(devices);
}
