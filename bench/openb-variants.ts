/**
 * openb variant sweep (`npx tsx bench/openb-variants.ts [--protocol fill|atc23] [--seeds N] [--traces a,b]`): replays
 * every openb pod list beside the GPU node list under first-fit and alixan and prints, per variant, pods placed, GPU
 * allocation and unallocated GPUs. `fill` is arrival order with no departures (`schedule replay --fill`); `atc23` is
 * the ATC'23 artifact's protocol (pods and nodes shuffled, demand resampled to 130 % of GPU capacity, seeds 42–51),
 * reporting the allocation at 100 % and 130 % of arrived demand, beside the artifact's FGD rule replayed on the same
 * sequences (`src/scheduler/atc23-fgd.ts`), which checks the harness against the paper's figures.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { readBoundedText } from "../src/core/yaml.ts";
import { type Atc23Result, atc23ArtifactFgd, atc23Replay } from "../src/scheduler/atc23.ts";
import { inventoryFromOpenbNodes } from "../src/scheduler/inventory.ts";
import { summarise } from "../src/scheduler/metrics.ts";
import type { PolicyName } from "../src/scheduler/scheduler.ts";
import { runReplay } from "../src/scheduler/setup.ts";
import { readOpenbPods } from "../src/scheduler/traces/openb.ts";

const folder = join(import.meta.dirname, "..", "..", "shared", "data", "traces", "openb");

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? undefined : process.argv[at + 1];
}

const protocol = option("protocol") ?? "fill";
const seeds = Number(option("seeds") ?? 10);
const only = option("traces")?.split(",");
const nodeFiles = readdirSync(folder).filter((file) => /^openb_node_list_.*\.csv$/.test(file));
const podFiles = readdirSync(folder)
  .filter((file) => /^openb_pod_list_.*\.csv$/.test(file))
  .filter((file) => only === undefined || only.includes(file.replace(/^openb_pod_list_|\.csv$/g, "")))
  .sort();
const policies: PolicyName[] = ["first-fit", "alixan"];
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;
const pct2 = (value: number) => `${(value * 100).toFixed(2)} %`;

for (const nodeFile of nodeFiles) {
  const nodes = inventoryFromOpenbNodes(readBoundedText(join(folder, nodeFile), "trace"), nodeFile);
  if (nodes.inventory === undefined) throw new Error(`${nodeFile}: no inventory`);
  const inventory = nodes.inventory;
  process.stdout.write(
    `\n${nodeFile}: ${inventory.nodeCount} nodes, ${inventory.gpuCount} GPUs, protocol ${protocol}\n\n`,
  );
  if (protocol === "atc23") {
    process.stdout.write(
      "| variant | first-fit 100 % / 130 % | alixan 100 % / 130 % | alixan min over seeds 100 % / 130 % | artifact FGD rule 100 % / 130 % |\n|---|---|---|---|---|\n",
    );
  } else {
    process.stdout.write(
      "| variant | first-fit: placed / GPU allocation / unallocated GPUs | alixan | Δ allocation (pt) |\n|---|---|---|---|\n",
    );
  }
  for (const podFile of podFiles) {
    const pods = readOpenbPods(readBoundedText(join(folder, podFile), "trace"), podFile);
    const name = podFile.replace(/^openb_pod_list_|\.csv$/g, "");
    if (protocol === "atc23") {
      const options = { seeds: Array.from({ length: seeds }, (_, i) => 42 + i) };
      const results: Atc23Result[] = policies.map((policy) => atc23Replay(inventory, pods.jobs, policy, options));
      const [ff, ax] = results as [Atc23Result, Atc23Result];
      const fgd = atc23ArtifactFgd(inventory, pods.jobs, options);
      const pair = (result: Atc23Result) => `${pct2(result.meanAt100)} / ${pct2(result.meanAt130)}`;
      process.stdout.write(
        `| ${name} | ${pair(ff)} | ${pair(ax)} | ${pct2(ax.minAt100)} / ${pct2(ax.minAt130)} | ${pair(fgd)} |\n`,
      );
      continue;
    }
    const cells: string[] = [];
    const allocation: number[] = [];
    for (const policy of policies) {
      const result = runReplay({ inventory, policy, replay: { departures: false } }, pods.jobs);
      if (typeof result === "string") throw new Error(result);
      const m = summarise(result);
      allocation.push(m.gpuAllocation.final);
      cells.push(
        `${m.placements.toLocaleString("en")} / ${pct(m.gpuAllocation.final)} / ${Math.round(m.fragmentation.finalFreeGpus).toLocaleString("en")}`,
      );
    }
    const delta = ((allocation[1]! - allocation[0]!) * 100).toFixed(2);
    process.stdout.write(`| ${name} | ${cells.join(" | ")} | ${delta} |\n`);
  }
}
