/** Narrowing for untrusted parsed data (JSON bodies, Redfish payloads, YAML documents). */

/** Whether a parsed value is a mapping (an object that is not a list and not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
