import { composeApp } from "/work/wt-drains/src/app/compose.ts";
import { defaultFeatures } from "/work/wt-drains/src/app/features/index.ts";
import { callApi } from "/work/wt-drains/test/support/api.ts";
const app = await composeApp({ site: "lab", store: { kind: "pglite", dataDir: "memory" }, seed: true, features: defaultFeatures({ speed: 600, demoLoad: 0, telemetryInMemory: true }) });
const url = await app.server.listen({ port: 0, host: "127.0.0.1" });
const key = (e: string) => app.demoKeys!.find((k) => k.email === e)!.token;
const op = key("camille@alixan.local"), hugo = key("hugo@rhone-pharma.example");
console.log(JSON.stringify((await callApi(url, "GET", "/v1/queues", hugo)).body, null, 0).slice(0, 1500));
const projectId = (await callApi(url, "GET", "/v1/projects", hugo)).body[0].id;
const ids = [];
for (let i = 0; i < 4; i++) {
  const r = await callApi(url, "POST", "/v1/jobs", hugo, { projectId, name: `long-${i}`, gpus: 8, gpuModel: "H200", durationS: 100000, dataClass: "confidential" });
  console.log(r.status, r.body.state, r.body.placement, r.body.reason);
  ids.push(r.body.id);
}
const d = await callApi(url, "POST", "/v1/drains", op, { target: "row:h1-r02", reason: "busway inspection", policy: "requeue" });
console.log(d.status, d.body);
await new Promise((r) => setTimeout(r, 500));
for (const id of ids) { const j = (await callApi(url, "GET", `/v1/jobs/${id}`, hugo)).body; console.log(j.state, j.placement, j.reason); }
console.log((await callApi(url, "GET", `/v1/jobs/${ids[0]}/history`, hugo)).body);
const l = await callApi(url, "GET", "/v1/drains", op); console.log(l.status, l.headers.get("x-total-count"), l.body.length);
await app.close();
