/**
 * `alixan slurm config --site NAME [--hall H] --out DIR`: writes slurm.conf, gres.conf and topology.conf for a site
 * or one hall, from the same inventory alixan's scheduler places on.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { slurmConfig } from "../../execution/slurm-config.ts";
import { formatNumber } from "../../model/units.ts";
import { CliError, exitCodes, printJson, wantsJson } from "../output.ts";
import { loadOrFail } from "./site.ts";

interface ConfigOptions {
  site: string;
  hall?: string;
  out?: string;
  cluster?: string;
  controller?: string;
  nodeAddr?: string;
  gpuFiles?: string;
  set: string[];
}

/** Registers `alixan slurm ...`. */
export function registerSlurmCommand(program: Command): void {
  const slurm = program.command("slurm").description("run admitted jobs on Slurm: configuration for a site");
  slurm
    .command("config")
    .description("generate slurm.conf (nodes, partitions), gres.conf and topology.conf for a site or a hall")
    .option("--site <name|file>", "shipped site (alixan, phase-1, lab) or a site file", "alixan")
    .option("--hall <id>", "only this hall (h1 or hall:h1); one Slurm cluster per hall suits large campuses")
    .option("--out <dir>", "write the three files into this directory (default: print slurm.conf)")
    .option("--cluster <name>", "ClusterName (default: the site id, or site-hall)")
    .option("--controller <host>", "SlurmctldHost (default slurmctld)")
    .option("--node-addr <address>", "NodeAddr of every node (default: the node name, resolved by DNS)")
    .option("--gpu-files <pattern>", "GPU device files of a node; {n} is the last GPU index", "/dev/nvidia[0-{n}]")
    .option(
      "--set <Key=Value>",
      "add or replace a controller setting (repeatable), e.g. --set SlurmUser=root",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .action((options: ConfigOptions, command: Command) => {
      const json = wantsJson(command);
      const { site } = loadOrFail(options.site, json);
      const files = slurmConfig(site, {
        ...(options.hall === undefined ? {} : { hall: options.hall }),
        ...(options.cluster === undefined ? {} : { clusterName: options.cluster }),
        ...(options.controller === undefined ? {} : { controller: options.controller }),
        ...(options.nodeAddr === undefined ? {} : { nodeAddr: options.nodeAddr }),
        ...(options.gpuFiles === undefined ? {} : { gpuFiles: options.gpuFiles }),
        set: options.set,
      });
      if (typeof files === "string") throw new CliError(files, exitCodes.usage);
      const names = ["slurm.conf", "gres.conf", "topology.conf"] as const;
      if (options.out === undefined) {
        if (json) printJson({ ...files });
        else process.stdout.write(files["slurm.conf"]);
        return;
      }
      try {
        mkdirSync(options.out, { recursive: true });
        for (const name of names) writeFileSync(join(options.out, name), files[name]);
      } catch (error) {
        throw new CliError(`cannot write into ${options.out}: ${(error as Error).message}`);
      }
      const summary = {
        out: options.out,
        files: names.map((name) => join(options.out!, name)),
        nodes: files.nodes,
        gpus: files.gpus,
        partitions: files.partitions,
      };
      if (json) printJson(summary);
      else
        process.stdout.write(
          `wrote ${summary.files.join(", ")}: ${formatNumber(files.nodes)} nodes, ${formatNumber(files.gpus)} GPUs, partitions ${files.partitions.join(", ")}\n`,
        );
    });
}
