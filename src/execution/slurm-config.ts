/**
 * The site model as Slurm sees it: `slurm.conf` (controller settings, then one node line per rack and one partition
 * per hall), `gres.conf` (the GPUs of every node, typed by model) and `topology.conf` (a tree: rack leaf switches,
 * rows, network blocks, halls, the site). Nodes are the scheduler inventory's nodes under the names the Slurm
 * executor uses, so what alixan places is exactly what Slurm runs: same names, CPUs, memory and GPUs.
 *
 * Generated for a whole site or one hall (`alixan slurm config --site lab --hall h1`); large campuses are run as one
 * Slurm cluster per hall. The controller settings are sensible production defaults that `set` overrides one by one
 * (tests use it to run slurmctld as root in a temporary directory).
 */
import { localOf } from "../model/ids.ts";
import type { Site } from "../model/site.ts";
import { type Inventory, inventoryFromSite } from "../scheduler/inventory.ts";
import { compressHostlist } from "./hostlist.ts";

/** Options of the generator. */
export interface SlurmConfigOptions {
  /** Hall id (`hall:h1` or `h1`); the whole site when undefined. */
  readonly hall?: string;
  /** `ClusterName` (default: the site id, or site-hall). */
  readonly clusterName?: string;
  /** `SlurmctldHost` (default `slurmctld`). */
  readonly controller?: string;
  /** `NodeAddr` of every node (default: the node name, resolved by DNS). Tests point it at loopback. */
  readonly nodeAddr?: string;
  /** GPU device files of a node, `{n}` replaced by the last index (default `/dev/nvidia[0-{n}]`). */
  readonly gpuFiles?: string;
  /** Controller settings to add or replace, `Key=Value` (e.g. `SlurmUser=root`). */
  readonly set?: readonly string[];
}

/** The generated files, with what they hold. */
export interface SlurmConfigFiles {
  readonly "slurm.conf": string;
  readonly "gres.conf": string;
  readonly "topology.conf": string;
  readonly nodes: number;
  readonly gpus: number;
  readonly partitions: readonly string[];
}

/** Slurm's name for a node of the inventory: the rack's local id and the server slot (`h1-r002-01-n03`). */
export function slurmNodeName(inventory: Inventory, node: number): string {
  return slurmSafe(inventory.nodeName(node).replace("/", "-"));
}

/** Names of all inventory nodes for Slurm, by node index. */
export function slurmNodeNames(inventory: Inventory): string[] {
  return Array.from({ length: inventory.nodeCount }, (_, node) => slurmNodeName(inventory, node));
}

/** The Slurm GRES type of a GPU model (`GB300` → `gb300`). */
export function gresType(model: string): string {
  return slurmSafe(model.toLowerCase());
}

/** The Slurm partition of a hall (`hall:h1` → `h1`). */
export function partitionName(hallId: string): string {
  return slurmSafe(localOf(hallId));
}

/** Slurm names allow letters, digits, `-` and `_`; other characters become `-`. */
function slurmSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, "-");
}

const defaultSettings: readonly (readonly [string, string])[] = [
  ["SlurmctldHost", "slurmctld"],
  ["AuthType", "auth/munge"],
  ["CredType", "cred/munge"],
  ["SlurmUser", "slurm"],
  ["StateSaveLocation", "/var/spool/slurmctld"],
  ["SlurmdSpoolDir", "/var/spool/slurmd"],
  ["SelectType", "select/cons_tres"],
  ["SelectTypeParameters", "CR_Core_Memory"],
  ["GresTypes", "gpu"],
  ["TopologyPlugin", "topology/tree"],
  ["ProctrackType", "proctrack/cgroup"],
  ["TaskPlugin", "task/cgroup,task/affinity"],
  ["SchedulerType", "sched/backfill"],
  ["MpiDefault", "none"],
  // alixan requeues preempted jobs itself (scontrol requeuehold), so Slurm must accept requeues.
  ["JobRequeue", "1"],
  ["ReturnToService", "2"],
  // Finished jobs stay visible to squeue for a day: alixan reconciles from it when accounting is not configured.
  ["MinJobAge", "86400"],
  ["AccountingStorageType", "accounting_storage/none"],
  ["JobCompType", "jobcomp/none"],
];

const settingPattern = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/;

/** Checks `set` entries; returns a message naming the first bad one. */
export function settingProblem(entries: readonly string[]): string | undefined {
  for (const entry of entries) {
    const match = settingPattern.exec(entry);
    if (match === null) return `setting "${entry}" is not Key=Value`;
    if (/[\r\n]/.test(match[2]!)) return `setting "${match[1]}" spans lines`;
  }
  return undefined;
}

/** Generates the Slurm configuration of a site or one of its halls; a string is the error (unknown hall, bad set). */
export function slurmConfig(site: Site, options: SlurmConfigOptions = {}): SlurmConfigFiles | string {
  const problem = settingProblem(options.set ?? []);
  if (problem !== undefined) return problem;
  let halls = site.halls;
  if (options.hall !== undefined) {
    const wanted = options.hall.startsWith("hall:") ? options.hall : `hall:${options.hall}`;
    const hall = site.halls.find((candidate) => candidate.id === wanted);
    if (hall === undefined) {
      return `site ${site.id} has no hall ${options.hall} (halls: ${site.halls.map((h) => localOf(h.id)).join(", ")})`;
    }
    halls = [hall];
  }
  const inventory = inventoryFromSite(site);
  const facility = inventory.facility!;
  const rackLevel = inventory.levels[facility.rackLevel]!;
  const rowLevel = inventory.levels[facility.rowLevel]!;
  const blockLevel = inventory.levels.find((level) => level.name === "block")!;
  const hallSet = new Set(halls.map((hall) => hall.index));
  const clusterName = slurmSafe(
    options.clusterName ?? (options.hall === undefined ? site.id : `${site.id}-${localOf(halls[0]!.id)}`),
  ).toLowerCase();

  const settings = new Map<string, [string, string]>();
  settings.set("clustername", ["ClusterName", clusterName]);
  for (const [key, value] of defaultSettings) settings.set(key.toLowerCase(), [key, value]);
  if (options.controller !== undefined) settings.set("slurmctldhost", ["SlurmctldHost", options.controller]);
  for (const entry of options.set ?? []) {
    const [, key = "", value = ""] = settingPattern.exec(entry)!;
    settings.set(key.toLowerCase(), [key, value]);
  }

  const scope = options.hall === undefined ? `site ${site.id}` : `hall ${halls[0]!.id} of site ${site.id}`;
  const conf: string[] = [
    `# slurm.conf for ${scope} (${site.name}), generated by \`alixan slurm config\`.`,
    "# Node names, CPUs, memory and GPUs are alixan's scheduler inventory: alixan places jobs with --nodelist.",
    "",
  ];
  for (const [key, value] of settings.values()) conf.push(`${key}=${value}`);
  conf.push("", "# Nodes: one line per rack; features carry the GPU model, rack type, hall and certified zone.");
  const gres: string[] = [`# gres.conf for ${scope}, generated by \`alixan slurm config\`.`, "AutoDetect=off"];
  let nodes = 0;
  let gpus = 0;
  const nodeNames = slurmNodeNames(inventory);
  const hallNodes = new Map<number, string[]>();
  for (let rack = 0; rack < rackLevel.count; rack++) {
    const siteRack = site.racks[rack]!;
    if (!hallSet.has(siteRack.hallIndex)) continue;
    const start = rackLevel.childStart[rack]!;
    const end = rackLevel.childStart[rack + 1]!;
    if (start === end) continue;
    const type = site.rackTypes[siteRack.typeIndex]!;
    const names = nodeNames.slice(start, end);
    const list = compressHostlist(names);
    const gpuCount = inventory.nodeGpuCount[start]!;
    const model = inventory.pools[inventory.nodePool[start]!]!.model;
    const features = [
      ...new Set([model >= 0 ? gresType(inventory.gpuModels[model]!) : "cpu", slurmSafe(type.id)]),
      `hall_${slurmSafe(localOf(site.halls[siteRack.hallIndex]!.id))}`,
      ...(siteRack.zoneId === undefined ? [] : [`zone_${slurmSafe(localOf(siteRack.zoneId))}`]),
    ];
    const address = options.nodeAddr === undefined ? "" : ` NodeAddr=${options.nodeAddr}`;
    const gpuPart = gpuCount > 0 ? ` Gres=gpu:${gresType(inventory.gpuModels[model]!)}:${gpuCount}` : "";
    conf.push(
      `NodeName=${list}${address} CPUs=${Math.floor(inventory.nodeCpuMilli[start]! / 1000)} RealMemory=${inventory.nodeMemoryMib[start]!}${gpuPart} Features=${features.join(",")} State=UNKNOWN`,
    );
    if (gpuCount > 0) {
      const files = (options.gpuFiles ?? "/dev/nvidia[0-{n}]").replaceAll("{n}", String(gpuCount - 1));
      gres.push(`NodeName=${list} Name=gpu Type=${gresType(inventory.gpuModels[model]!)} File=${files}`);
    }
    nodes += end - start;
    gpus += gpuCount * (end - start);
    const list2 = hallNodes.get(siteRack.hallIndex) ?? [];
    list2.push(...names);
    hallNodes.set(siteRack.hallIndex, list2);
  }

  conf.push("", "# Partitions: one per hall (the first is the default). alixan chooses nodes; Slurm runs there.");
  const partitions: string[] = [];
  halls.forEach((hall, index) => {
    const name = partitionName(hall.id);
    const members = hallNodes.get(hall.index);
    if (members === undefined) return;
    partitions.push(name);
    conf.push(`NodeSet=${name}_nodes Feature=hall_${name}`);
    conf.push(
      `PartitionName=${name} Nodes=${name}_nodes${index === 0 ? " Default=YES" : ""} MaxTime=INFINITE State=UP OverSubscribe=NO`,
    );
  });

  // Topology tree: racks (NVLink domains on NVL72, one ToR each) under rows, rows under blocks, blocks under halls.
  const topology: string[] = [
    `# topology.conf for ${scope}, generated by \`alixan slurm config\` (TopologyPlugin=topology/tree).`,
    "# Leaf switches are racks: an NVL72 rack is one NVLink domain; HGX servers share the rack's leaf switch.",
  ];
  const switchOf = (id: string) => slurmSafe(localOf(id));
  const blockNames = new Map<number, string>();
  const hallBlocks = new Map<number, number[]>();
  const blockRows = new Map<number, number[]>();
  for (const hall of halls) {
    for (let row = hall.rowStart; row < hall.rowStart + hall.rowCount; row++) {
      const siteRow = site.rows[row]!;
      const racks: string[] = [];
      for (let rack = siteRow.rackStart; rack < siteRow.rackStart + siteRow.rackCount; rack++) {
        const start = rackLevel.childStart[rack]!;
        const end = rackLevel.childStart[rack + 1]!;
        if (start === end) continue;
        const rackSwitch = switchOf(site.racks[rack]!.id);
        topology.push(`SwitchName=${rackSwitch} Nodes=${compressHostlist(nodeNames.slice(start, end))}`);
        racks.push(rackSwitch);
      }
      if (racks.length === 0) continue;
      topology.push(`SwitchName=${switchOf(siteRow.id)} Switches=${compressHostlist(racks)}`);
      const firstNode = rackLevel.childStart[siteRow.rackStart]!;
      const block = blockLevel.groupOfNode[firstNode]!;
      if (!blockNames.has(block)) {
        const blocks = hallBlocks.get(hall.index) ?? [];
        blocks.push(block);
        hallBlocks.set(hall.index, blocks);
        blockNames.set(block, `${switchOf(hall.id)}-b${String(blocks.length).padStart(2, "0")}`);
      }
      blockRows.set(block, [...(blockRows.get(block) ?? []), rowLevel.groupOfNode[firstNode]!]);
    }
  }
  for (const [block, rows] of blockRows) {
    topology.push(
      `SwitchName=${blockNames.get(block)} Switches=${compressHostlist(rows.map((row) => switchOf(site.rows[row]!.id)))}`,
    );
  }
  const hallSwitches: string[] = [];
  for (const hall of halls) {
    const blocks = hallBlocks.get(hall.index);
    if (blocks === undefined) continue;
    const name = `${switchOf(hall.id)}-spine`;
    topology.push(`SwitchName=${name} Switches=${compressHostlist(blocks.map((block) => blockNames.get(block)!))}`);
    hallSwitches.push(name);
  }
  if (hallSwitches.length > 1)
    topology.push(`SwitchName=${slurmSafe(site.id)}-core Switches=${hallSwitches.join(",")}`);

  return {
    "slurm.conf": `${conf.join("\n")}\n`,
    "gres.conf": `${gres.join("\n")}\n`,
    "topology.conf": `${topology.join("\n")}\n`,
    nodes,
    gpus,
    partitions,
  };
}
