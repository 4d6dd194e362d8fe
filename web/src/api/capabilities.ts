/**
 * What the server offers and what the caller may do.
 *
 * Routes come from the server's own OpenAPI document (public, read once per session), so a page whose routes are not
 * deployed says so without probing them: a probe would answer 404, which browsers log as an error.
 * Permissions mirror src/tenancy/roles.ts: the console hides what a role cannot do; the server still decides.
 */
import type { Role } from "./types.ts";

/** Routes the server has, as `GET /v1/jobs` (OpenAPI path templates: `/v1/site/racks/{id}`). */
export class Capabilities {
  private readonly routes: ReadonlySet<string>;

  constructor(routes: Iterable<string>) {
    this.routes = new Set(routes);
  }

  /** Reads the routes of an OpenAPI document. */
  static fromOpenApi(document: unknown): Capabilities {
    const routes: string[] = [];
    const paths = (document as { paths?: Record<string, Record<string, unknown>> } | null)?.paths ?? {};
    for (const [path, operations] of Object.entries(paths)) {
      for (const method of Object.keys(operations)) routes.push(`${method.toUpperCase()} ${path}`);
    }
    return new Capabilities(routes);
  }

  /** Whether `method path` exists. */
  has(method: string, path: string): boolean {
    return this.routes.has(`${method.toUpperCase()} ${path}`);
  }

  /** The live state (`/v1/state/*`). */
  get liveState(): boolean {
    return this.has("GET", "/v1/state/racks") && this.has("GET", "/v1/state/site");
  }
  /** The live stream of rack values. */
  get liveStream(): boolean {
    return this.has("GET", "/v1/state/stream");
  }
  /** Site history series. */
  get history(): boolean {
    return this.has("GET", "/v1/state/history");
  }
  /** The floor layout in one call. */
  get layout(): boolean {
    return this.has("GET", "/v1/site/layout");
  }
  /** Jobs. */
  get jobs(): boolean {
    return this.has("GET", "/v1/jobs");
  }
  /** Queues. */
  get queues(): boolean {
    return this.has("GET", "/v1/queues");
  }
  /** Alarms. */
  get alarms(): boolean {
    return this.has("GET", "/v1/alarms");
  }
  /** What-if runs. */
  get whatIf(): boolean {
    return this.has("POST", "/v1/whatif");
  }
}

const staff: readonly Role[] = ["platform-admin", "facility-operator", "auditor"];
const operators: readonly Role[] = ["platform-admin", "facility-operator"];

/** What a role may see and do in the console. */
export interface Permissions {
  /** Platform staff: floor, cooling, energy, alarms, all tenants' workloads. */
  readonly staff: boolean;
  readonly acknowledgeAlarms: boolean;
  readonly runWhatIf: boolean;
  readonly submitJobs: boolean;
  readonly cancelJobs: boolean;
  /** Project names (`GET /v1/projects`): everyone but facility operators, who work on equipment, not projects. */
  readonly readProjects: boolean;
}

/** The permissions of a role. */
export function permissionsOf(role: Role): Permissions {
  return {
    staff: staff.includes(role),
    acknowledgeAlarms: operators.includes(role),
    runWhatIf: operators.includes(role),
    submitJobs: !staff.includes(role),
    cancelJobs: role !== "auditor",
    readProjects: role !== "facility-operator",
  };
}
