/**
 * Benchmark: wall-clock latency of consecutive `POST /v1/whatif` requests (a 1-day heat wave on the lab site) on one
 * platform. The first pays for starting a what-if worker (its modules load under tsx); the ones after show what a
 * caller waits once a worker is warm. Run with `npx tsx bench/whatif.ts [requests]` (default 5), alone on the machine
 * (`flock /tmp/bench.lock ...`).
 */
import { composeApp } from "../src/app/compose.ts";
import { platformFeatures } from "../src/app/features/index.ts";

const requests = Number(process.argv[2] ?? 5);
const app = await composeApp({
  site: "lab",
  store: { kind: "pglite", dataDir: "memory" },
  seed: true,
  features: platformFeatures({ speed: 60, telemetryInMemory: true, demoLoad: 0 }).features,
});
try {
  const url = await app.server.listen({ port: 0, host: "127.0.0.1" });
  const key = app.demoKeys!.find((demo) => demo.role === "facility-operator")!.token;
  const body = JSON.stringify({ heatWave: { peakC: 40, days: 1, nightMinimumC: 24 }, days: 1 });
  const latencies: number[] = [];
  for (let index = 0; index < requests; index++) {
    const started = performance.now();
    const response = await fetch(`${url}/v1/whatif`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body,
    });
    await response.json();
    if (response.status !== 200) throw new Error(`what-if ${index + 1} answered ${response.status}`);
    latencies.push(performance.now() - started);
  }
  const later = latencies.slice(1).sort((a, b) => a - b);
  console.log(
    `whatif: ${requests} consecutive 1-day lab what-ifs, ms: ${latencies.map((ms) => ms.toFixed(0)).join(", ")}`,
  );
  console.log(
    `  first ${latencies[0]!.toFixed(0)} ms; second ${latencies[1]?.toFixed(0)} ms; median of the rest ${later[Math.floor(later.length / 2)]?.toFixed(0)} ms`,
  );
} finally {
  await app.close();
}
