/**
 * Fetches what the floor needs: the layout (once per session and site version) and the tenant of each rack from the
 * placement of running jobs.
 */
import type { Capabilities } from "../api/capabilities.ts";
import type { ApiClient } from "../api/client.ts";
import type { Job, SiteLayout, Tenant } from "../api/types.ts";
import {
  type Category,
  type FloorModel,
  floorModelFromInventory,
  floorModelFromLayout,
  type InventoryHall,
  type InventoryRow,
} from "./model.ts";

let cached: { token: string; model: FloorModel } | undefined;

/** The floor model: `/v1/site/layout` when the server has it, else the inventory halls and rows. */
export async function loadFloorModel(
  client: ApiClient,
  capabilities: Capabilities,
  siteVersion: number,
): Promise<FloorModel> {
  if (cached !== undefined && cached.token === client.token && cached.model.version === siteVersion) {
    return cached.model;
  }
  let model: FloorModel;
  if (capabilities.layout) {
    model = floorModelFromLayout(await client.get<SiteLayout>("/v1/site/layout"));
  } else {
    const [halls, rows] = await Promise.all([
      client.get<InventoryHall[]>("/v1/site/halls"),
      client.get<InventoryRow[]>("/v1/site/rows"),
    ]);
    model = floorModelFromInventory(siteVersion, halls, rows);
  }
  cached = { token: client.token, model };
  return model;
}

/** Tenants of the racks (index into the returned list, -1 where no job runs), from running jobs' placement. */
export async function loadTenantPlacement(
  client: ApiClient,
  model: FloorModel,
): Promise<{ categories: Int16Array; tenants: Category[] }> {
  const [jobs, tenants] = await Promise.all([
    client.get<Job[]>("/v1/jobs?state=running"),
    client.get<Tenant[]>("/v1/tenants").catch(() => [] as Tenant[]),
  ]);
  return tenantCategories(model, jobs, tenants);
}

/** Builds the tenant of each rack from jobs (pure; the last job listed on a rack wins). */
export function tenantCategories(
  model: FloorModel,
  jobs: readonly Job[],
  tenants: readonly Tenant[],
): { categories: Int16Array; tenants: Category[] } {
  const rackIndex = new Map(model.rackIds.map((id, index) => [id, index]));
  const names = new Map(tenants.map((tenant) => [tenant.id, tenant.name]));
  const order = new Map<string, number>();
  const categories = new Int16Array(model.rackCount).fill(-1);
  for (const job of jobs) {
    if (job.placement === null || job.placement.racks.length === 0) continue;
    let category = order.get(job.tenantId);
    if (category === undefined) {
      category = order.size;
      order.set(job.tenantId, category);
    }
    for (const rack of job.placement.racks) {
      const index = rackIndex.get(rack);
      if (index !== undefined) categories[index] = category;
    }
  }
  const list = [...order.keys()].map((id) => ({ id, label: names.get(id) ?? id }));
  return { categories, tenants: list };
}
