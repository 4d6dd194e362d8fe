/**
 * The features `alixan start` runs on top of the core services, in start order.
 */
import type { Feature } from "../compose.ts";
import { telemetryFeature } from "./telemetry.ts";

/** A fresh set of the platform's features (each start gets its own instances: no shared state between apps). */
export function defaultFeatures(): Feature[] {
  return [telemetryFeature()];
}
