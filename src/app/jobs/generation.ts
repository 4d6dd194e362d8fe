/**
 * A generation of the live scheduler: one inventory, set of admission checks and executor over the site in force,
 * with what its zones may host judged at the moment it was built. The jobs engine replaces the generation when the
 * site changes or a certification lapses, carrying the jobs over (`carry.ts`).
 */
import { type ExecutionConfig, usesSlurm } from "../../execution/config.ts";
import { RoutingExecutor } from "../../execution/routing.ts";
import { type NativeArrays, SlurmExecutor, type SlurmHooks } from "../../execution/slurm.ts";
import { SlurmCli } from "../../execution/slurm-cli.ts";
import { partitionName } from "../../execution/slurm-config.ts";
import type { LiveShiftFactory } from "../../flex/shift-live.ts";
import type { Site } from "../../model/site.ts";
import type { UtilisationSource } from "../../model/utilisation.ts";
import { zonePolicyKey } from "../../model/zones.ts";
import type { AdmissionCheck, DrainFeed } from "../../scheduler/checks.ts";
import { DesignFacilityView, type FacilityLimits, type FacilityView } from "../../scheduler/facility.ts";
import { type Inventory, inventoryFromSite, poolAllowsDataClass } from "../../scheduler/inventory.ts";
import type { Job } from "../../scheduler/jobs.ts";
import { LiveScheduler, SimulatedExecutor } from "../../scheduler/live.ts";
import type { QueueSetConfig } from "../../scheduler/queues.ts";
import { standardChecks } from "../../scheduler/setup.ts";
import type { LiveSnapshot } from "../../twin/live.ts";
import type { JobRecord } from "./records.ts";

/** Limits from the design, with each row's cooling capped by what the twin says its CDUs can remove now. */
export class LiveFacilityView implements FacilityView {
  readonly #design: DesignFacilityView;
  readonly #rows: number;
  #liveCoolingKw: Float64Array | undefined;

  constructor(site: Site) {
    this.#design = new DesignFacilityView(site);
    this.#rows = site.rows.length;
  }

  /** Takes the twin's cooling capacity per row (ignored while the twin still runs another version of the site). */
  update(snapshot: LiveSnapshot): void {
    if (snapshot.tcs.length !== this.#rows) return;
    this.#liveCoolingKw ??= new Float64Array(snapshot.tcs.length);
    for (let row = 0; row < snapshot.tcs.length; row++) this.#liveCoolingKw[row] = snapshot.tcs[row]!.capacityKW;
  }

  fill(timeS: number, limits: FacilityLimits): void {
    this.#design.fill(timeS, limits);
    const live = this.#liveCoolingKw;
    if (live === undefined) return;
    for (let row = 0; row < live.length; row++)
      limits.rowCoolingKw[row] = Math.min(limits.rowCoolingKw[row]!, live[row]!);
  }

  nextChangeS(timeS: number): number {
    // The twin's view moves continuously: read it again every 10 scheduler seconds.
    return timeS + 10;
  }
}

/** One scheduler over one site in force. */
export interface Generation {
  readonly site: Site;
  /** Site version in force when it was built. */
  readonly version: number;
  /** What every zone may host at the time it was built (`zonePolicyKey`). */
  readonly policyKey: string;
  readonly inventory: Inventory;
  readonly facility: LiveFacilityView;
  readonly live: LiveScheduler;
  readonly slurm: SlurmExecutor | undefined;
  /** Whether work on a node is simulated (its hall is not sent to Slurm). */
  readonly simulatedOn: (node: number) => boolean;
  /** The record of each of its jobs, by scheduler index. */
  readonly byJobIndex: JobRecord[];
  /** The last state audited for each of its jobs, by scheduler index. */
  readonly lastState: Map<number, string>;
  /** Rack utilisation read by the twin, made on first use. */
  utilisation: UtilisationSource | undefined;
}

/** What building a generation needs besides the site. */
export interface GenerationSettings {
  readonly queues: QueueSetConfig;
  readonly execution: ExecutionConfig;
  readonly speed: number | undefined;
  /** Wall-clock epoch of scheduler time 0 (kept from the generation before). */
  readonly epochMs: number | undefined;
  /** When zones' certifications are judged. */
  readonly nowMs: number;
  /** Called on every job change of the generation. */
  readonly onChange: (generation: Generation, job: Job) => void;
  /** Called when a running job of the generation is paused or resumed (see `LiveSchedulerOptions.onHold`). */
  readonly onHold?: (generation: Generation, job: Job) => void;
  /** What the Slurm executor asks of the jobs it runs (given the generation, for its job records). */
  readonly slurmHooks: (generation: Generation) => SlurmHooks;
  /** Native Slurm arrays, kept from one generation's executor to the next. */
  readonly slurmArrays?: NativeArrays;
  /** Maintenance drains in force, followed at every cycle (none when absent). */
  readonly drainFeed?: DrainFeed | undefined;
  /** Checks of the platform's own (holds, dependencies, array throttles), applied after the site's. */
  readonly platformChecks?: readonly AdmissionCheck[];
  /** Price- and carbon-aware shifting of deferrable jobs (`serve --grid-signals --shift`), built per generation. */
  readonly shift?: LiveShiftFactory | undefined;
}

/** Builds a generation over `site` (version `version`). Fails with a message when the checks cannot be built. */
export function buildGeneration(site: Site, version: number, settings: GenerationSettings): Generation {
  const inventory = inventoryFromSite(site, { zonesAt: settings.nowMs });
  const facility = new LiveFacilityView(site);
  const checks = standardChecks(inventory, { facility, holdForZones: true, drainFeed: settings.drainFeed });
  if (typeof checks === "string") throw new Error(checks);
  checks.push(...(settings.platformChecks ?? []));
  // The shift check reads the scheduler's clock: fix its epoch here so both agree.
  const epochMs = settings.epochMs ?? Date.now();
  if (settings.shift !== undefined) checks.push(settings.shift(inventory, epochMs, site.timezone));
  const execution = settings.execution;
  const slurmMode = usesSlurm(execution);
  const nodeHall = inventory.levels[inventory.facility!.hallLevel]!.groupOfNode;
  const hallPartition = site.halls.map((hall) =>
    (execution.halls[hall.id.slice(5)] ?? execution.backend) === "slurm" ? partitionName(hall.id) : undefined,
  );
  const partitionOf = (node: number) => hallPartition[nodeHall[node]!];
  const byJobIndex: JobRecord[] = [];
  let slurm: SlurmExecutor | undefined;
  // The generation is complete before the scheduler can call back (its constructor calls no listener).
  const generation: { -readonly [K in keyof Generation]: Generation[K] } = {
    site,
    version,
    policyKey: zonePolicyKey(site, settings.nowMs),
    inventory,
    facility,
    live: undefined as unknown as LiveScheduler,
    slurm: undefined,
    simulatedOn: (node) => partitionOf(node) === undefined,
    byJobIndex,
    lastState: new Map(),
    utilisation: undefined,
  };
  generation.live = new LiveScheduler({
    inventory,
    queues: settings.queues,
    checks,
    ...(settings.speed === undefined ? {} : { speed: settings.speed }),
    epochMs,
    onChange: (job) => settings.onChange(generation, job),
    onHold: (job) => settings.onHold?.(generation, job),
    executor: (scheduler) => {
      const simulated = new SimulatedExecutor(scheduler);
      if (!slurmMode) return simulated;
      slurm = new SlurmExecutor({
        live: scheduler,
        cli: new SlurmCli(execution.slurm),
        settings: execution.slurm,
        siteId: site.id,
        partitionOf,
        hooks: settings.slurmHooks(generation),
        ...(settings.slurmArrays === undefined ? {} : { native: settings.slurmArrays }),
        powerCap: execution.powerCap,
      });
      const executor = slurm;
      return new RoutingExecutor((node) => (partitionOf(node) === undefined ? simulated : executor));
    },
  });
  generation.slurm = slurm;
  return generation;
}

/** The racks (by index in the generation's site) a job's members run on, in member order, without repeats. */
export function racksOf(generation: Generation, job: Job): number[] {
  const inventory = generation.inventory;
  const rackLevel = inventory.levels[inventory.facility!.rackLevel]!;
  const racks = new Set<number>();
  for (const node of job.nodes) if (node >= 0) racks.add(rackLevel.groupOfNode[node]!);
  return [...racks];
}

/** Where a job runs: its racks, their zone and halls, as the site in force names them. */
export interface JobPlacement {
  readonly racks: string[];
  readonly zoneId: string | null;
  readonly halls: string[];
}

/** Where a placed job runs: its racks' ids and the zone of the first (placement keeps a job in one zone). */
export function placementOf(generation: Generation, job: Job): JobPlacement {
  const racks = racksOf(generation, job).map((index) => generation.site.racks[index]!);
  const halls = [...new Set(racks.map((rack) => generation.site.halls[rack.hallIndex]!.id))];
  return { racks: racks.map((rack) => rack.id), zoneId: racks[0]?.zoneId ?? null, halls };
}

/**
 * Why a job of `dataClass` may not run on `nodes` under this generation's zones (a rack outside every zone that may
 * host its data class now), or undefined when it may.
 */
export function zoneViolation(generation: Generation, nodes: ArrayLike<number>, dataClass: string): string | undefined {
  const inventory = generation.inventory;
  for (let member = 0; member < nodes.length; member++) {
    const node = nodes[member]!;
    if (node < 0 || poolAllowsDataClass(inventory, inventory.nodePool[node]!, dataClass)) continue;
    const rack = generation.site.racks[inventory.levels[inventory.facility!.rackLevel]!.groupOfNode[node]!]!;
    if (rack.zoneId === undefined) return `${rack.id} is in no zone that may host ${dataClass} data`;
    const zone = inventory.zones.find((candidate) => candidate.id === rack.zoneId);
    const withheld = zone?.withheld.find((item) => item.dataClass === dataClass);
    return `${rack.id} is in ${rack.zoneId}, which may not host ${dataClass} data now: ${
      withheld?.why ?? `${rack.zoneId} does not list ${dataClass} data`
    }`;
  }
  return undefined;
}
