/**
 * Prometheus remote-write 1.0 received: a decoded WriteRequest's time series become samples. `__name__` is the
 * series name and the other labels its labels; timestamps are int64 ms. Prometheus marks a vanished series with a
 * staleness NaN and may send NaN readings (a summary with no observations): both are skipped, neither accepted nor
 * rejected, since a NaN would poison every aggregate over the series.
 */
import { decodeWriteRequest, type ProtoTimeSeries, timestampMs } from "../remote-write-proto.ts";
import { type Interner, maxTimestamp, type SampleBuffer } from "../samples.ts";
import type { RejectionList } from "../types.ts";

/** Counts of a decoded request. */
export interface RemoteWriteCounts {
  /** Samples skipped: NaN values, staleness markers included. */
  skipped: number;
}

/** Decodes an uncompressed WriteRequest into samples; a malformed message is one rejection of the whole body. */
export function parseRemoteWrite(
  bytes: Uint8Array,
  intern: Interner,
  out: SampleBuffer,
  rejections: RejectionList,
): RemoteWriteCounts {
  let series: readonly ProtoTimeSeries[];
  try {
    series = decodeWriteRequest(bytes);
  } catch (cause) {
    rejections.add({
      path: "body",
      problem: `not a protobuf prometheus.WriteRequest: ${cause instanceof Error ? cause.message : String(cause)}`,
    });
    return { skipped: 0 };
  }
  const counts = { skipped: 0 };
  for (let index = 0; index < series.length; index++) {
    appendSeries(series[index]!, `timeseries[${index}]`, intern, out, rejections, counts);
  }
  return counts;
}

function appendSeries(
  item: ProtoTimeSeries,
  path: string,
  intern: Interner,
  out: SampleBuffer,
  rejections: RejectionList,
  counts: RemoteWriteCounts,
): void {
  let name: string | undefined;
  const labels: Record<string, string> = {};
  for (const label of item.labels) {
    if (label.name === "__name__") name = label.value;
    else if (Object.hasOwn(labels, label.name)) {
      rejections.add({ path: `${path}.labels`, problem: `label ${JSON.stringify(label.name)} appears twice` });
      return;
    } else labels[label.name] = label.value;
  }
  if (name === undefined) {
    rejections.add({ path: `${path}.labels`, problem: "no __name__ label: the series has no name" });
    return;
  }
  const samples = item.samples;
  if (samples.length === 0) return;
  const id = intern(name, labels);
  if (!id.ok) {
    rejections.add({ path: `${path}.labels`, problem: id.problem });
    return;
  }
  for (let i = 0; i < samples.length; i++) {
    const sample = samples[i]!;
    if (Number.isNaN(sample.value)) {
      counts.skipped++;
      continue;
    }
    const timestamp = timestampMs(sample.timestamp);
    if (!(timestamp >= 0 && timestamp <= maxTimestamp)) {
      rejections.add({ path: `${path}.samples[${i}].timestamp`, problem: `${timestamp} is not a time in ms` });
      continue;
    }
    out.push(id.value, timestamp, sample.value);
  }
}
