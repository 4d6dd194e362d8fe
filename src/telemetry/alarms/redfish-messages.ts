/**
 * Redfish message registry ids to alarm actions, following the DMTF Environmental (1.x) and ResourceEvent (1.x)
 * registries: each message either raises a condition at a severity, clears one (the registries' `ClearingLogic`,
 * same `OriginOfCondition`), or is informational. Conditions are grouped by family so that, for instance,
 * `TemperatureAboveUpperCriticalThreshold` escalates the alarm `TemperatureAboveUpperCautionThreshold` raised and
 * `TemperatureNormal` clears it.
 */
import type { Severity } from "../types.ts";

/** What one message does to the alarm of its condition on its origin. */
export type MessageAction =
  | { readonly action: "raise"; readonly condition: string; readonly severity: Severity; readonly title: string }
  | { readonly action: "clear"; readonly condition: string }
  /** `ResourceEvent.ResourceRemoved` clears every condition of its origin. */
  | { readonly action: "clear-all" }
  | { readonly action: "ignore" };

/** Threshold message suffixes of the Environmental registry and the severity each carries. */
const thresholdSuffixes: readonly (readonly [string, Severity | "clear"])[] = [
  ["AboveUpperCautionThreshold", "warning"],
  ["AboveUpperCriticalThreshold", "critical"],
  ["AboveUpperFatalThreshold", "critical"],
  ["BelowLowerCautionThreshold", "warning"],
  ["BelowLowerCriticalThreshold", "critical"],
  ["BelowLowerFatalThreshold", "critical"],
  // Back from fatal but still past critical, or back from critical but still past caution.
  ["BelowUpperFatalThreshold", "critical"],
  ["BelowUpperCriticalThreshold", "warning"],
  ["AboveLowerFatalThreshold", "critical"],
  ["AboveLowerCriticalThreshold", "warning"],
  ["NoLongerCritical", "warning"],
  ["Warning", "warning"],
  ["Critical", "critical"],
  ["Normal", "clear"],
];

const familyTitles: Record<string, string> = {
  Temperature: "Temperature out of range",
  Humidity: "Humidity out of range",
  Pressure: "Pressure out of range",
  FluidLevel: "Coolant level out of range",
  FluidQuality: "Coolant quality out of range",
  LeakDetected: "Leak detected",
  Pump: "Pump failed",
  Filter: "Filter requires service",
};

/** Health values of the Resource schema to severities. */
function healthSeverity(health: string | undefined): Severity | "clear" | undefined {
  switch (health) {
    case "OK":
      return "clear";
    case "Warning":
      return "warning";
    case "Critical":
      return "critical";
    default:
      return undefined;
  }
}

function words(name: string): string {
  return name.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function raiseOrClear(condition: string, severity: Severity | "clear", title: string): MessageAction {
  return severity === "clear" ? { action: "clear", condition } : { action: "raise", condition, severity, title };
}

/** Splits `Environmental.1.2.LeakDetectedCritical` into its registry prefix and message name. */
function splitMessageId(messageId: string): { readonly registry: string; readonly name: string } {
  const parts = messageId.split(".");
  return { registry: parts[0] ?? "", name: parts.at(-1) ?? "" };
}

function environmental(name: string, args: readonly string[]): MessageAction | undefined {
  if (name.endsWith("SubsystemHealth")) {
    const severity = healthSeverity(args[0]);
    return severity === undefined
      ? undefined
      : raiseOrClear(name, severity, `${words(name.slice(0, -15))} subsystem unhealthy`);
  }
  switch (name) {
    case "PumpFailed":
      return raiseOrClear("Pump", "critical", familyTitles["Pump"]!);
    case "PumpRestored":
    case "PumpRemoved":
      return raiseOrClear("Pump", "clear", "");
    case "FilterRequiresService":
      return raiseOrClear("Filter", "warning", familyTitles["Filter"]!);
    case "FilterRestored":
    case "FilterRemoved":
      return raiseOrClear("Filter", "clear", "");
    case "PumpInserted":
    case "FilterInserted":
      return { action: "ignore" };
  }
  for (const [suffix, severity] of thresholdSuffixes) {
    if (name.length > suffix.length && name.endsWith(suffix)) {
      const family = name.slice(0, -suffix.length);
      return raiseOrClear(family, severity, familyTitles[family] ?? `${words(family)} out of range`);
    }
  }
  return undefined;
}

function resourceEvent(name: string): MessageAction | undefined {
  switch (name) {
    case "ResourceStatusChangedCritical":
      return raiseOrClear("Status", "critical", "Equipment health critical");
    case "ResourceStatusChangedWarning":
      return raiseOrClear("Status", "warning", "Equipment health warning");
    case "ResourceStatusChangedOK":
      return raiseOrClear("Status", "clear", "");
    case "ResourceErrorsDetected":
      return raiseOrClear("Errors", "warning", "Equipment reports errors");
    case "ResourceErrorsCorrected":
      return raiseOrClear("Errors", "clear", "");
    case "ResourceErrorThresholdExceeded":
      return raiseOrClear("ErrorThreshold", "critical", "Error threshold exceeded");
    case "ResourceErrorThresholdCleared":
      return raiseOrClear("ErrorThreshold", "clear", "");
    case "ResourceWarningThresholdExceeded":
      return raiseOrClear("WarningThreshold", "warning", "Warning threshold exceeded");
    case "ResourceWarningThresholdCleared":
      return raiseOrClear("WarningThreshold", "clear", "");
    case "ResourceRemoved":
      return { action: "clear-all" };
    default:
      return { action: "ignore" };
  }
}

/**
 * The alarm action of a message. Known registries use their own logic; anything else raises at the severity the
 * event reports (`MessageSeverity`, or the older `Severity`) when that is Warning or Critical, and is otherwise
 * informational.
 */
export function mapRedfishMessage(
  messageId: string,
  args: readonly string[],
  reportedSeverity?: string,
): MessageAction {
  const { registry, name } = splitMessageId(messageId);
  const mapped =
    registry === "Environmental"
      ? environmental(name, args)
      : registry === "ResourceEvent"
        ? resourceEvent(name)
        : undefined;
  if (mapped !== undefined) return mapped;
  const severity = healthSeverity(reportedSeverity);
  if (severity === undefined || severity === "clear") return { action: "ignore" };
  return { action: "raise", condition: name, severity, title: words(name) };
}
