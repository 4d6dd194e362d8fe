/**
 * GPU power caps enforced on a Slurm job's nodes by the site's own tool (`powerCap` in the execution file): Slurm has
 * no per-job GPU power limit, so sites set one with `nvidia-smi -pl` or DCGM on the nodes. This module works out the
 * calls: which nodes, at what per-GPU limit, with the placeholders of the command filled in.
 */

import type { RackType } from "../model/site.ts";
import { kilowattsToWatts, type Watts } from "../model/units.ts";
import type { Inventory } from "../scheduler/inventory.ts";
import type { PowerCapPlaceholder } from "./config.ts";
import { compressHostlist } from "./hostlist.ts";

/**
 * The per-GPU power limit that lets a rack type's GPUs draw `share` (0-1) of their dynamic power:
 * `idle + share × (design − idle)`, per GPU, rounded to the watt. Share 1 is the full design power (the cap lifted),
 * share 0 idle power. It is the share the live twin takes off the rack's dynamic power for a capped job
 * (`LiveScheduler.utilisationSource`), so what the site enforces is what the twin models.
 *
 * The site model gives design and idle power per rack type, not per GPU: the per-GPU figures are the rack's divided by
 * its GPUs (`gpusPerRack`), as the scheduler's own power estimate does (`rackKwPerGpu`). They include each GPU's share
 * of the rack's hosts, fans and switches, so the limit is above the GPU's own board power (an NVL72 rack of 132 kW
 * gives 1,833 W per GPU at design power); a tool that programs `nvidia-smi -pl` should clamp it to the board's range
 * (`nvidia-smi -q -d POWER`) or work from `{share}` and the board's own limits. Undefined for a rack without GPUs.
 */
export function gpuWattsAt(type: RackType, share: number): Watts | undefined {
  if (type.gpusPerRack <= 0) return undefined;
  const bounded = Math.min(1, Math.max(0, share));
  const idle = kilowattsToWatts(type.idlePower) / type.gpusPerRack;
  const design = kilowattsToWatts(type.designPower) / type.gpusPerRack;
  return Math.round(idle + bounded * (design - idle)) as Watts;
}

/** One call of the power-cap command: a set of nodes, in Slurm host-list form, and their per-GPU limit. */
export interface PowerCapCall {
  /** Slurm host list of the nodes (`h1-r02-01-n[01-02]`). */
  readonly nodes: string;
  readonly nodeNames: readonly string[];
  /** Per-GPU limit in W, or undefined when the nodes' rack type has no GPUs or the inventory has no site. */
  readonly watts: Watts | undefined;
}

/**
 * The calls that cap a job's nodes at `share`: one per per-GPU limit, since a gang's racks may be of different types
 * (most jobs: one call). `nodeName` gives a node's Slurm name; nodes appear once, in member order.
 */
export function powerCapCalls(
  inventory: Inventory,
  nodes: ArrayLike<number>,
  nodeName: (node: number) => string,
  share: number,
): PowerCapCall[] {
  const facility = inventory.facility;
  const rackOfNode = facility === undefined ? undefined : inventory.levels[facility.rackLevel]!.groupOfNode;
  const byWatts = new Map<number | undefined, string[]>();
  const seen = new Set<number>();
  for (let member = 0; member < nodes.length; member++) {
    const node = nodes[member]!;
    if (node < 0 || seen.has(node)) continue;
    seen.add(node);
    let watts: Watts | undefined;
    if (facility !== undefined && rackOfNode !== undefined) {
      const rack = facility.site.racks[rackOfNode[node]!]!;
      watts = gpuWattsAt(facility.site.rackTypes[rack.typeIndex]!, share);
    }
    const names = byWatts.get(watts) ?? [];
    names.push(nodeName(node));
    byWatts.set(watts, names);
  }
  return [...byWatts].map(([watts, names]) => ({
    nodes: compressHostlist(names),
    nodeNames: names,
    watts: watts as Watts | undefined,
  }));
}

/** How `{share}` is written: at most three decimals, no trailing zeros (`0.6`, `1`). */
export function formatShare(share: number): string {
  return String(Math.round(Math.min(1, Math.max(0, share)) * 1000) / 1000);
}

const placeholder = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** The command's arguments with each placeholder replaced by its value (anything else left as written). */
export function powerCapArgs(
  command: readonly string[],
  values: Readonly<Record<PowerCapPlaceholder, string>>,
): string[] {
  return command.map((argument) =>
    argument.replace(placeholder, (text, name: string) =>
      Object.hasOwn(values, name) ? values[name as PowerCapPlaceholder] : text,
    ),
  );
}

/** Whether the command uses `{watts}` (a call without a per-GPU figure then cannot be made). */
export function usesWatts(command: readonly string[]): boolean {
  return command.some((argument) => argument.includes("{watts}"));
}
