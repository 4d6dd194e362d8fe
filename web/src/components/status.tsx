/** Loading, error and "not available on this server" states, the same on every page. */
import type { ReactNode } from "react";
import { ApiError, describeError } from "../api/client.ts";

/** A feature whose routes this server does not offer. */
export function Unavailable(props: { feature: string; route: string; children?: ReactNode }) {
  return (
    <div className="notice notice-unavailable" role="status">
      <strong>{props.feature} is not available on this server.</strong> It needs <code>{props.route}</code>, which this
      server does not provide yet (the route answers 404).
      {props.children}
    </div>
  );
}

/** A request that failed. */
export function ErrorNotice(props: { error: unknown; action?: string }) {
  const forbidden = props.error instanceof ApiError && props.error.status === 403;
  return (
    <div className="notice notice-error" role="alert">
      {props.action === undefined ? null : <strong>{props.action} failed. </strong>}
      {forbidden ? "Your role is not allowed to do this. " : null}
      {describeError(props.error)}
    </div>
  );
}

/** Something is loading. */
export function Loading(props: { what: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      Loading {props.what}…
    </p>
  );
}

/** A figure with its label. */
export function Kpi(props: { label: string; value: string; detail?: string; tone?: "good" | "warn" | "bad" }) {
  return (
    <div className={`kpi${props.tone === undefined ? "" : ` kpi-${props.tone}`}`}>
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value">{props.value}</div>
      {props.detail === undefined ? null : <div className="kpi-detail">{props.detail}</div>}
    </div>
  );
}

/** A horizontal bar for a share (quota used, power against design). */
export function Meter(props: { value: number; max: number; label: string; warnAt?: number; text?: string }) {
  const fraction = props.max > 0 ? Math.min(1, Math.max(0, props.value / props.max)) : 0;
  const warn = props.warnAt ?? 0.9;
  const tone = props.max > 0 && props.value / props.max > 1 ? "bad" : fraction >= warn ? "warn" : "good";
  return (
    <div className="meter-wrap">
      <meter className="visually-hidden" aria-label={props.label} min={0} max={props.max} value={props.value} />
      <div className="meter" aria-hidden="true">
        <div className={`meter-fill meter-${tone}`} style={{ width: `${fraction * 100}%` }} />
      </div>
      {props.text === undefined ? null : <span className="meter-text">{props.text}</span>}
    </div>
  );
}
