/**
 * The queue form's data: its quota rows as typed, the resources the configuration knows, the `PUT /v1/queues/{name}`
 * body for what was typed, and the mapping from the API's field paths back to the form's inputs. Pure, so that the
 * form's conversions are tested without a browser.
 */
import type { QueueConfigAnswer, QueueFileQueue, QuotaLimits } from "../api/types.ts";
import { numberAsTyped } from "../components/form-errors.tsx";

/** One quota row of the form, as typed. */
export interface QuotaRow {
  /** Stable React key: rows are added and removed in any order. */
  readonly key: number;
  readonly resource: string;
  readonly nominal: string;
  readonly borrowingLimit: string;
}

/** Lays a quota row's fields side by side (the shared stylesheet has no such row). */
export const quotaRowStyle = { display: "flex", flexWrap: "wrap", gap: "0.75rem", alignItems: "flex-end" } as const;

let lastRowKey = 0;
/** A quota row with a fresh key. */
export function quotaRow(resource: string, nominal = "", borrowingLimit = ""): QuotaRow {
  lastRowKey += 1;
  return { key: lastRowKey, resource, nominal, borrowingLimit };
}

/** Resources the configuration knows: its cohorts' and queues' quota keys. */
export function knownResources(config: QueueConfigAnswer["config"]): string[] {
  const names = new Set<string>();
  for (const entry of [...config.cohorts, ...config.queues]) {
    for (const resource of Object.keys(entry.quota ?? {})) names.add(resource);
  }
  return [...names].sort();
}

/** The form's key for a server field (`body.quota.gpu.H200.nominal` or `body.quota["gpu.H200"].nominal`). */
export function formKeyOf(field: string, rows: readonly QuotaRow[]): string | undefined {
  const path = field.replace(/\["([^"]*)"\]/g, ".$1");
  if (path === "params.name") return "name";
  for (const key of ["tenant", "cohort", "priorityClass"]) if (path === `body.${key}`) return key;
  // Longest resource first: `gpu` is a prefix of `gpu.H200`.
  const ordered = rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => b.row.resource.length - a.row.resource.length);
  for (const { row, index } of ordered) {
    const prefix = `body.quota.${row.resource.trim()}`;
    if (path === prefix) return `quota.${index}.nominal`;
    if (path.startsWith(`${prefix}.`)) {
      const rest = path.slice(prefix.length + 1);
      return rest === "borrowingLimit" ? `quota.${index}.borrowingLimit` : `quota.${index}.nominal`;
    }
  }
  return undefined;
}

/** The form's own refusals before anything is sent: a resource listed twice (marked on its later rows). */
export function duplicateResources(rows: readonly QuotaRow[]): Record<string, string> {
  const seen = new Map<string, number>();
  const local: Record<string, string> = {};
  rows.forEach((row, index) => {
    const first = seen.get(row.resource.trim());
    if (first !== undefined) local[`quota.${index}.resource`] = `${row.resource} is listed twice`;
    seen.set(row.resource.trim(), first ?? index);
  });
  return local;
}

/**
 * The body for what was typed. The API judges every value (text that is no number goes as typed, so the API names
 * it); the form keeps what it does not show of an existing queue: lending limits, weight, preemption.
 */
export function queueRequestBody(
  existing: QueueFileQueue | undefined,
  fields: { readonly tenant: string; readonly cohort: string; readonly priorityClass: string },
  rows: readonly QuotaRow[],
): Record<string, unknown> {
  const quota: Record<string, Record<string, number | string>> = {};
  for (const row of rows) {
    const kept: QuotaLimits | undefined = existing?.quota?.[row.resource.trim()];
    const nominal = numberAsTyped(row.nominal);
    const borrowingLimit = numberAsTyped(row.borrowingLimit);
    quota[row.resource.trim()] = {
      ...(nominal === undefined ? {} : { nominal }),
      ...(borrowingLimit === undefined ? {} : { borrowingLimit }),
      ...(kept?.lendingLimit === undefined ? {} : { lendingLimit: kept.lendingLimit }),
    };
  }
  return {
    tenant: fields.tenant.trim(),
    ...(fields.cohort === "" ? {} : { cohort: fields.cohort }),
    ...(existing?.weight === undefined ? {} : { weight: existing.weight }),
    priorityClass: fields.priorityClass,
    quota,
    ...(existing?.preemption === undefined ? {} : { preemption: existing.preemption }),
  };
}
