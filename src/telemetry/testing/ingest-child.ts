/**
 * Test support: a process that ingests batches into a telemetry data directory as fast as it can and prints
 * `ack <batch>` after each batch is acknowledged, until it is killed. The durability test kills it with SIGKILL
 * mid-stream and checks that every acknowledged sample is still there.
 *
 * Usage: node --import tsx ingest-child.ts <data directory> <base time ms> <first batch>
 * Batch b holds 200 samples over 20 series, values b * 1000 + i at base + b * 1000 + i ms.
 */
import { TelemetryService } from "../service.ts";

const [directory, baseText, firstText] = process.argv.slice(2);
const base = Number(baseText);
const opened = await TelemetryService.open({ dataDirectory: directory!, flushIntervalMs: 25, onProblem: () => {} });
if (!opened.ok) {
  process.stderr.write(`${opened.problem}\n`);
  process.exit(2);
}
const service = opened.value;
process.stdout.write("ready\n");
for (let batch = Number(firstText); ; batch++) {
  const lines: string[] = [];
  for (let i = 0; i < 200; i++)
    lines.push(`durability,s=s${i % 20} value=${batch * 1000 + i} ${base + batch * 1000 + i}`);
  const report = await service.ingestInflux(lines.join("\n"), "ms");
  if (report.accepted !== 200) {
    process.stderr.write(`batch ${batch}: ${JSON.stringify(report)}\n`);
    process.exit(3);
  }
  process.stdout.write(`ack ${batch}\n`);
}
