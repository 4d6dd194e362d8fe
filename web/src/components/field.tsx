/**
 * One labelled form control: its label, the control, an optional hint and the API's refusal of it, wired so that
 * assistive technology reads the label as the control's name and the hint and error as its description. Every form
 * of the console (jobs, drains, queues, what-if) builds its inputs with it, so a refusal reads the same everywhere.
 */
import type { ReactNode } from "react";

/** The attributes a field gives its control: its id, whether it is refused and what describes it. */
export interface FieldControl {
  readonly id: string;
  readonly "aria-invalid": boolean;
  readonly "aria-describedby"?: string;
}

/** The id of the error shown under the control `id` (what its `aria-describedby` names while it is refused). */
export function fieldErrorId(id: string): string {
  return `${id}-error`;
}

/** The id of the hint shown under the control `id`. */
export function fieldHintId(id: string): string {
  return `${id}-hint`;
}

/** The attributes of control `id`: refused when `error` is set, described by its hint (if any) then its error. */
export function fieldControl(id: string, error: string | undefined, hasHint = false): FieldControl {
  const describedBy = [hasHint ? fieldHintId(id) : undefined, error === undefined ? undefined : fieldErrorId(id)]
    .filter((part) => part !== undefined)
    .join(" ");
  return {
    id,
    "aria-invalid": error !== undefined,
    ...(describedBy === "" ? {} : { "aria-describedby": describedBy }),
  };
}

/**
 * The error message of control `id`, nothing while it is not refused (also for a group's error under its legend);
 * `alert` announces it as it appears.
 */
export function FieldError(props: {
  readonly id: string;
  readonly error: string | undefined;
  readonly alert?: boolean | undefined;
}) {
  return props.error === undefined ? null : (
    <span id={fieldErrorId(props.id)} className="field-error" role={props.alert === true ? "alert" : undefined}>
      {props.error}
    </span>
  );
}

/** What a field shows. */
export interface FieldProps {
  /** The control's id (the label points at it; the hint and error ids derive from it). */
  readonly id: string;
  /** The control's accessible name. */
  readonly label: ReactNode;
  /** The API's refusal of this control (undefined: not refused). */
  readonly error?: string | undefined;
  /** A line under the control that says what it takes. */
  readonly hint?: ReactNode;
  /** A checkbox: the box before its label, on one line. */
  readonly check?: boolean;
  /**
   * Announce the error as it appears (`role="alert"`): for a form that shows its refusal nowhere else and keeps the
   * focus where it was (sign-in), where a live summary does not already say it.
   */
  readonly alert?: boolean;
  /** Renders the control with the attributes it must carry. */
  readonly children: (control: FieldControl) => ReactNode;
}

/** A labelled control with its hint and error (see the module comment). */
export function Field(props: FieldProps) {
  const hasHint = props.hint !== undefined && props.hint !== null;
  const control = props.children(fieldControl(props.id, props.error, hasHint));
  const label = <label htmlFor={props.id}>{props.label}</label>;
  return (
    <div className={props.check === true ? "field field-check" : "field"}>
      {props.check === true ? (
        <>
          {control}
          {label}
        </>
      ) : (
        <>
          {label}
          {control}
        </>
      )}
      {hasHint ? (
        <span id={fieldHintId(props.id)} className="field-help">
          {props.hint}
        </span>
      ) : null}
      <FieldError id={props.id} error={props.error} alert={props.alert} />
    </div>
  );
}
