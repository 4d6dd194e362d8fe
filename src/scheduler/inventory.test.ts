import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSite } from "../model/load.ts";
import { inventoryFromOpenbNodes, inventoryFromSite, levelIndex, poolAllowsDataClass } from "./inventory.ts";

const openbFolder = join(import.meta.dirname, "..", "..", "..", "shared", "data", "traces", "openb");

describe("inventory from a site", () => {
  const site = loadSite("lab").site!;
  const inventory = inventoryFromSite(site);

  it("turns every server of every rack into a node with its GPUs", () => {
    // lab: 4 NVL72 racks (18 trays × 4 GPUs), 14 HGX racks (4 × 8), 18 CPU racks (16 servers).
    assert.equal(inventory.nodeCount, 4 * 18 + 14 * 4 + 18 * 16);
    assert.equal(inventory.gpuCount, 4 * 72 + 14 * 32);
    assert.deepEqual(inventory.gpuModels, ["GB300", "H200"]);
    assert.deepEqual(
      inventory.levels.map((level) => [level.name, level.count]),
      [
        ["hall", 2],
        ["block", 2],
        ["row", 5],
        ["rack", 36],
      ],
    );
  });

  it("makes an NVL72 rack one 72-GPU NVLink domain and an HGX server its own domain", () => {
    const rack = levelIndex(inventory, "rack");
    const nodes = inventory.levels[rack]!.childStart;
    const first = nodes[0]!;
    for (let node = first; node < nodes[1]!; node++)
      assert.equal(inventory.nodeDomain[node], inventory.nodeDomain[first]);
    assert.notEqual(inventory.nodeDomain[nodes[1]!], inventory.nodeDomain[first]);
    const hgx = nodes[4]!;
    assert.equal(inventory.nodeGpuCount[hgx], 8);
    assert.notEqual(inventory.nodeDomain[hgx], inventory.nodeDomain[hgx + 1]);
  });

  it("keeps health data to the certified zone and everything else anywhere", () => {
    const pools = inventory.pools.map((_, pool) => pool);
    const health = pools.filter((pool) => poolAllowsDataClass(inventory, pool, "health"));
    assert.ok(health.length > 0);
    for (const pool of health) assert.equal(inventory.zones[inventory.pools[pool]!.zone]?.id, "zone:hds");
    for (const pool of pools) assert.equal(poolAllowsDataClass(inventory, pool, "confidential"), true);
  });

  it("names nodes after their rack", () => {
    assert.equal(inventory.nodeName(0), "h1-r01-01/n01");
  });
});

describe("inventory from the openb node list", () => {
  it("reads the 1,213 GPU nodes and 6,212 GPUs of the real file", () => {
    const text = readFileSync(join(openbFolder, "openb_node_list_gpu_node.csv"), "utf8");
    const result = inventoryFromOpenbNodes(text);
    assert.deepEqual(result.diagnostics, []);
    assert.equal(result.inventory?.nodeCount, 1213);
    assert.equal(result.inventory?.gpuCount, 6212);
    assert.equal(result.inventory?.facility, undefined);
  });

  it("reports a malformed row with its line number and skips it", () => {
    const text = "sn,cpu_milli,memory_mib,gpu,model\nn1,64000,262144,2,P100\nn2,lots,262144,2,P100\nn3,8000,1024,4,\n";
    const result = inventoryFromOpenbNodes(text, "nodes.csv");
    assert.equal(result.inventory?.nodeCount, 1);
    assert.deepEqual(
      result.diagnostics.map((item) => item.message),
      [
        'nodes.csv:3: cpu_milli: expected an integer from 1 to 2147483647, got "lots"; row skipped',
        "nodes.csv:4: model is empty for a node with 4 GPUs; row skipped",
      ],
    );
  });

  it("skips a node listed twice, so its GPUs count once", () => {
    const text =
      "sn,cpu_milli,memory_mib,gpu,model\nn1,64000,262144,2,P100\nn2,64000,262144,2,P100\nn1,64000,262144,2,P100\n";
    const result = inventoryFromOpenbNodes(text, "nodes.csv");
    assert.deepEqual([result.inventory?.nodeCount, result.inventory?.gpuCount], [2, 4]);
    assert.deepEqual(
      result.diagnostics.map((item) => item.message),
      ["nodes.csv:4: sn n1 is already listed at line 2; row skipped"],
    );
  });

  it("rejects a file without the required columns", () => {
    const result = inventoryFromOpenbNodes("sn,cpu\nn1,1\n", "nodes.csv");
    assert.equal(result.inventory, undefined);
    assert.match(result.diagnostics[0]!.message, /nodes.csv:1: header lacks columns cpu_milli, memory_mib, gpu, model/);
  });
});
