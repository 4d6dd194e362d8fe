/**
 * The node inventory the scheduler places work on: every node with its GPUs, CPU, memory, zone, topology and the
 * power and cooling domains it sits in. Held as structure-of-arrays (one typed array per quantity, indexed by node)
 * so a placement on the 40,000-rack campus never touches an object per node.
 *
 * Two builders: from an expanded `Site` (racks → servers → nodes, with halls, network blocks, rows and racks as
 * topology levels and the facility domains they carry) and from the openb node list CSV (no facility domains; one
 * flat "cluster" level).
 */
import { localOf, pad } from "../model/ids.ts";
import type { Site } from "../model/site.ts";
import { zoneRefusal } from "../model/zones.ts";
import { parseCsv, type TraceDiagnostic } from "./csv.ts";

/** Names of the topology levels an inventory may have, top to bottom. */
export type TopologyLevelName = "hall" | "block" | "row" | "rack" | "cluster";

/** One level of the topology tree. Groups of a level hold contiguous ranges of the level below (or of nodes). */
export interface TopologyLevel {
  readonly name: TopologyLevelName;
  readonly count: number;
  /** Children of group g are `[childStart[g], childStart[g + 1])` at the next level, or nodes for the last level. */
  readonly childStart: Int32Array;
  /** The group of every node at this level. */
  readonly groupOfNode: Int32Array;
  /** Readable id of a group, for reasons and logs (`row:h1-r003`). */
  groupId(index: number): string;
}

/** A certified zone as the scheduler sees it. */
export interface InventoryZone {
  readonly id: string;
  /** The classes it may host when the inventory was built (see `SiteInventoryOptions.zonesAt`). */
  readonly dataClasses: readonly string[];
  /** Classes the site lists for it that it may not host then, each with why (a lapsed certification…). */
  readonly withheld: readonly { readonly dataClass: string; readonly why: string }[];
}

/** A pool: the nodes sharing one GPU model (or none) and one zone (or none). Aggregates are kept per pool. */
export interface Pool {
  /** Index into `gpuModels`, or -1 for CPU-only nodes. */
  readonly model: number;
  /** Index into `zones`, or -1 outside any zone. */
  readonly zone: number;
}

/** Where the facility domains of a site-based inventory sit in its topology levels. */
export interface FacilityDomains {
  readonly site: Site;
  readonly hallLevel: number;
  readonly rowLevel: number;
  readonly rackLevel: number;
  /** Estimated power (kW) of one GPU fully used on a rack: the rack type's design power over its GPUs. */
  readonly rackKwPerGpu: Float64Array;
  /** Estimated power (kW) per CPU milli on racks without GPUs: design power over all their servers' CPUs. */
  readonly rackKwPerCpuMilli: Float64Array;
  /** Share of a rack's power that its row's technology loop (CDU group) must carry. */
  readonly rackHeatFraction: Float64Array;
}

/** The scheduler's view of the machines. */
export interface Inventory {
  /** What the inventory was built from (`site alixan`, `openb 1,213 nodes`). */
  readonly name: string;
  readonly nodeCount: number;
  readonly gpuCount: number;
  readonly gpuModels: readonly string[];
  readonly zones: readonly InventoryZone[];
  readonly pools: readonly Pool[];
  readonly nodePool: Uint16Array;
  readonly nodeGpuCount: Uint8Array;
  /** Index of a node's first GPU in per-GPU arrays; its GPUs are `[start, start + count)`. */
  readonly nodeGpuStart: Int32Array;
  readonly nodeCpuMilli: Int32Array;
  readonly nodeMemoryMib: Int32Array;
  /** NVLink domain of each node; nodes of one domain are contiguous. A node without NVLink is its own domain. */
  readonly nodeDomain: Int32Array;
  /** Topology levels, top to bottom; the last level's groups hold nodes. */
  readonly levels: readonly TopologyLevel[];
  /** Present when the inventory comes from a site: the power and cooling domains. */
  readonly facility: FacilityDomains | undefined;
  /** Readable name of a node. */
  nodeName(index: number): string;
}

/** CPU and memory of one server, for sites (the site format does not carry them). */
export interface ServerResources {
  readonly cpuMilli: number;
  readonly memoryMib: number;
}

/** Options for building an inventory from a site. */
export interface SiteInventoryOptions {
  /** Adjacent rows of a hall that share a network block (leaf-spine pod). Default 4. */
  readonly rowsPerBlock?: number;
  /** Server resources by rack type id; defaults by GPUs per server (see `defaultServerResources`). */
  readonly serverResources?: Readonly<Record<string, ServerResources>>;
  /**
   * Epoch ms at which zones' hosting is judged (certification held and in force, `src/model/zones.ts`); by default
   * zones host what the site lists (offline replays and plans).
   */
  readonly zonesAt?: number;
}

/**
 * Default server resources by GPUs per server, from vendor data sheets: a GB300 NVL72 compute tray (4 GPUs) has two
 * 72-core Grace CPUs and 960 GiB LPDDR5X; an HGX H200 server (8 GPUs) two 56-core Xeon 8480+ (224 threads) and
 * 2 TiB; a CPU server two 96-core EPYC 9654 (384 threads) and 1.5 TiB. Kubernetes counts logical CPUs.
 */
export function defaultServerResources(gpusPerServer: number): ServerResources {
  if (gpusPerServer === 0) return { cpuMilli: 384_000, memoryMib: 1_572_864 };
  if (gpusPerServer <= 4) return { cpuMilli: 144_000, memoryMib: 983_040 };
  return { cpuMilli: 224_000, memoryMib: 2_097_152 };
}

class PoolTable {
  readonly pools: Pool[] = [];
  private readonly byKey = new Map<number, number>();
  indexOf(model: number, zone: number): number {
    const key = (model + 1) * 65_536 + (zone + 1);
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.pools.length;
      this.pools.push({ model, zone });
      this.byKey.set(key, index);
    }
    return index;
  }
}

function level(
  name: TopologyLevelName,
  childStart: Int32Array,
  groupOfNode: Int32Array,
  groupId: (index: number) => string,
): TopologyLevel {
  return { name, count: childStart.length - 1, childStart, groupOfNode, groupId };
}

/** Builds the inventory of a site: every server of every rack becomes a node. Linear in the number of racks. */
export function inventoryFromSite(site: Site, options: SiteInventoryOptions = {}): Inventory {
  const rowsPerBlock = Math.max(1, Math.floor(options.rowsPerBlock ?? 4));
  const gpuModels: string[] = [];
  const modelOfType = site.rackTypes.map((type) => {
    if (type.gpusPerRack === 0 || type.gpuModel === undefined) return -1;
    let index = gpuModels.indexOf(type.gpuModel);
    if (index < 0) index = gpuModels.push(type.gpuModel) - 1;
    return index;
  });
  const at = options.zonesAt;
  const zones: InventoryZone[] = site.zones.map((zone) => {
    if (at === undefined) return { id: zone.id, dataClasses: zone.dataClasses, withheld: [] };
    const withheld = zone.dataClasses.flatMap((dataClass) => {
      const why = zoneRefusal(zone, dataClass, at);
      return why === undefined ? [] : [{ dataClass, why }];
    });
    const hosted = zone.dataClasses.filter((dataClass) => !withheld.some((item) => item.dataClass === dataClass));
    return { id: zone.id, dataClasses: hosted, withheld };
  });
  const zoneIndex = new Map(site.zones.map((zone, index) => [zone.id as string, index]));
  const resources = site.rackTypes.map((type) => {
    const gpusPerServer = type.servers > 0 ? Math.floor(type.gpusPerRack / type.servers) : 0;
    return options.serverResources?.[type.id] ?? defaultServerResources(gpusPerServer);
  });

  let nodeCount = 0;
  let gpuCount = 0;
  for (const rack of site.racks) {
    const type = site.rackTypes[rack.typeIndex]!;
    nodeCount += type.servers;
    gpuCount += type.gpusPerRack;
  }
  const pools = new PoolTable();
  const nodePool = new Uint16Array(nodeCount);
  const nodeGpuCount = new Uint8Array(nodeCount);
  const nodeGpuStart = new Int32Array(nodeCount);
  const nodeCpuMilli = new Int32Array(nodeCount);
  const nodeMemoryMib = new Int32Array(nodeCount);
  const nodeDomain = new Int32Array(nodeCount);
  const rackNodeStart = new Int32Array(site.racks.length + 1);
  const rackOfNode = new Int32Array(nodeCount);
  const rowOfNode = new Int32Array(nodeCount);
  const hallOfNode = new Int32Array(nodeCount);
  const blockOfNode = new Int32Array(nodeCount);
  const rackKwPerGpu = new Float64Array(site.racks.length);
  const rackKwPerCpuMilli = new Float64Array(site.racks.length);
  const rackHeatFraction = new Float64Array(site.racks.length);

  // Blocks: runs of `rowsPerBlock` adjacent rows inside a hall.
  const blockOfRow = new Int32Array(site.rows.length);
  const blockRowStart: number[] = [];
  const blockHall: number[] = [];
  const hallBlockStart = new Int32Array(site.halls.length + 1);
  for (const hall of site.halls) {
    hallBlockStart[hall.index] = blockRowStart.length;
    for (let offset = 0; offset < hall.rowCount; offset++) {
      if (offset % rowsPerBlock === 0) {
        blockRowStart.push(hall.rowStart + offset);
        blockHall.push(hall.index);
      }
      blockOfRow[hall.rowStart + offset] = blockRowStart.length - 1;
    }
  }
  hallBlockStart[site.halls.length] = blockRowStart.length;
  blockRowStart.push(site.rows.length);

  let node = 0;
  let gpu = 0;
  let domain = -1;
  for (const rack of site.racks) {
    const type = site.rackTypes[rack.typeIndex]!;
    const model = modelOfType[rack.typeIndex]!;
    const zone = rack.zoneId === undefined ? -1 : (zoneIndex.get(rack.zoneId) ?? -1);
    const pool = pools.indexOf(model, zone);
    const gpusPerServer = type.servers > 0 ? Math.floor(type.gpusPerRack / type.servers) : 0;
    // NVLink domains group consecutive servers of a rack; a domain never spans racks here.
    const serversPerDomain =
      gpusPerServer > 0 ? Math.max(1, Math.min(type.servers, Math.round(type.nvlinkDomainSize / gpusPerServer))) : 1;
    const server = resources[rack.typeIndex]!;
    rackNodeStart[rack.index] = node;
    rackKwPerGpu[rack.index] = type.gpusPerRack > 0 ? type.designPower / type.gpusPerRack : 0;
    rackKwPerCpuMilli[rack.index] =
      type.gpusPerRack === 0 && type.servers > 0 ? type.designPower / (type.servers * server.cpuMilli) : 0;
    // Rear-door exchangers sit on the row's loop, so the CDUs carry the whole rack; otherwise the liquid share.
    rackHeatFraction[rack.index] = type.airCooling === "rdhx" ? 1 : type.liquidCaptureFraction;
    for (let slot = 0; slot < type.servers; slot++) {
      if (slot % serversPerDomain === 0) domain++;
      nodePool[node] = pool;
      nodeGpuCount[node] = gpusPerServer;
      nodeGpuStart[node] = gpu;
      nodeCpuMilli[node] = server.cpuMilli;
      nodeMemoryMib[node] = server.memoryMib;
      nodeDomain[node] = domain;
      rackOfNode[node] = rack.index;
      rowOfNode[node] = rack.rowIndex;
      hallOfNode[node] = rack.hallIndex;
      blockOfNode[node] = blockOfRow[rack.rowIndex]!;
      gpu += gpusPerServer;
      node++;
    }
  }
  rackNodeStart[site.racks.length] = node;

  const hallChildStart = hallBlockStart;
  const blockChildStart = Int32Array.from(blockRowStart);
  const rowChildStart = new Int32Array(site.rows.length + 1);
  for (const row of site.rows) rowChildStart[row.index] = row.rackStart;
  rowChildStart[site.rows.length] = site.racks.length;
  const rackIdsOf = (index: number) => site.racks[index]!.id;
  const levels = [
    level("hall", hallChildStart, hallOfNode, (index) => site.halls[index]!.id),
    level("block", blockChildStart, blockOfNode, (index) => {
      const first = site.rows[blockRowStart[index]!]!;
      return `block:${localOf(first.id)}+${blockRowStart[index + 1]! - blockRowStart[index]!}`;
    }),
    level("row", rowChildStart, rowOfNode, (index) => site.rows[index]!.id),
    level("rack", rackNodeStart, rackOfNode, rackIdsOf),
  ];
  return {
    name: `site ${site.id}`,
    nodeCount,
    gpuCount,
    gpuModels,
    zones,
    pools: pools.pools,
    nodePool,
    nodeGpuCount,
    nodeGpuStart,
    nodeCpuMilli,
    nodeMemoryMib,
    nodeDomain,
    levels,
    facility: { site, hallLevel: 0, rowLevel: 2, rackLevel: 3, rackKwPerGpu, rackKwPerCpuMilli, rackHeatFraction },
    nodeName(index) {
      const rack = rackOfNode[index]!;
      return `${localOf(rackIdsOf(rack))}/n${pad(index - rackNodeStart[rack]! + 1, 2)}`;
    },
  };
}

/** An inventory with the diagnostics of the rows that could not be read. */
export interface InventoryReadResult {
  readonly inventory: Inventory | undefined;
  readonly diagnostics: readonly TraceDiagnostic[];
}

const openbNodeColumns = ["sn", "cpu_milli", "memory_mib", "gpu", "model"] as const;

/**
 * Reads the openb node list (`sn,cpu_milli,memory_mib,gpu,model`). A row with a missing or malformed field is
 * reported with its line number and skipped; a file without the required header columns is rejected.
 * Nodes without GPUs have an empty or `nan` model. Every node is its own NVLink domain.
 */
export function inventoryFromOpenbNodes(text: string, fileName = "openb node list"): InventoryReadResult {
  const table = parseCsv(text, openbNodeColumns, fileName);
  if (table.rows === undefined) return { inventory: undefined, diagnostics: table.diagnostics };
  const diagnostics = [...table.diagnostics];
  const names: string[] = [];
  const cpu: number[] = [];
  const memory: number[] = [];
  const gpus: number[] = [];
  const models: number[] = [];
  const gpuModels: string[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of table.rows) {
    const problems: string[] = [];
    const name = row.field("sn");
    if (name === "") problems.push("sn is empty");
    // A node listed twice would count its GPUs twice.
    const firstLine = firstLineOf.get(name);
    if (firstLine !== undefined && name !== "") problems.push(`sn ${name} is already listed at line ${firstLine}`);
    else firstLineOf.set(name, row.line);
    const cpuMilli = row.integer("cpu_milli", problems, 1, 2 ** 31 - 1);
    const memoryMib = row.integer("memory_mib", problems, 0, 2 ** 31 - 1);
    const gpuCount = row.integer("gpu", problems, 0, 255);
    const modelText = row.field("model");
    const hasModel = modelText !== "" && modelText.toLowerCase() !== "nan";
    if (gpuCount > 0 && !hasModel) problems.push(`model is empty for a node with ${gpuCount} GPUs`);
    if (problems.length > 0) {
      diagnostics.push({ line: row.line, message: `${fileName}:${row.line}: ${problems.join("; ")}; row skipped` });
      continue;
    }
    let model = -1;
    if (gpuCount > 0) {
      model = gpuModels.indexOf(modelText);
      if (model < 0) model = gpuModels.push(modelText) - 1;
    }
    names.push(name);
    cpu.push(cpuMilli);
    memory.push(memoryMib);
    gpus.push(gpuCount);
    models.push(model);
  }
  diagnostics.sort((a, b) => a.line - b.line);
  if (names.length === 0) {
    diagnostics.push({ line: 0, message: `${fileName}: no usable node` });
    return { inventory: undefined, diagnostics };
  }
  const nodeCount = names.length;
  const pools = new PoolTable();
  const nodePool = new Uint16Array(nodeCount);
  const nodeGpuCount = new Uint8Array(nodeCount);
  const nodeGpuStart = new Int32Array(nodeCount);
  let gpuCount = 0;
  for (let node = 0; node < nodeCount; node++) {
    nodePool[node] = pools.indexOf(models[node]!, -1);
    nodeGpuCount[node] = gpus[node]!;
    nodeGpuStart[node] = gpuCount;
    gpuCount += gpus[node]!;
  }
  const inventory: Inventory = {
    name: `openb ${nodeCount} nodes`,
    nodeCount,
    gpuCount,
    gpuModels,
    zones: [],
    pools: pools.pools,
    nodePool,
    nodeGpuCount,
    nodeGpuStart,
    nodeCpuMilli: Int32Array.from(cpu),
    nodeMemoryMib: Int32Array.from(memory),
    nodeDomain: Int32Array.from({ length: nodeCount }, (_, index) => index),
    levels: [level("cluster", Int32Array.of(0, nodeCount), new Int32Array(nodeCount), () => "cluster")],
    facility: undefined,
    nodeName: (index) => names[index] ?? `node ${index}`,
  };
  return { inventory, diagnostics };
}

/** Index of the topology level with this name, or -1. */
export function levelIndex(inventory: Inventory, name: TopologyLevelName): number {
  return inventory.levels.findIndex((candidate) => candidate.name === name);
}

/** Whether a pool may host data of a class: zones host what they list; outside zones, public and confidential. */
export function poolAllowsDataClass(inventory: Inventory, pool: number, dataClass: string): boolean {
  const zone = inventory.pools[pool]!.zone;
  if (zone < 0) return dataClass !== "health";
  return inventory.zones[zone]!.dataClasses.includes(dataClass);
}

/**
 * Estimated power (kW) of one member on a rack: its GPUs' share of the rack type's design power, or for CPU-only work
 * on racks without GPUs its CPU share. CPU-only work on GPU racks counts nothing: the per-GPU share includes the hosts.
 */
export function memberPowerKw(
  facility: FacilityDomains,
  rack: number,
  gpus: number,
  gpuMilli: number,
  cpuMilli: number,
): number {
  if (gpus > 0) return ((gpus * gpuMilli) / 1000) * facility.rackKwPerGpu[rack]!;
  return cpuMilli * facility.rackKwPerCpuMilli[rack]!;
}
