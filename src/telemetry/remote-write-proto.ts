/**
 * The Prometheus remote-write 1.0 message schema (prometheus/prompb types.proto and remote.proto), once, for both
 * directions: the receiver decodes with it, and the exporter's hand-written encoder (export/remote-write.ts, kept for
 * speed) is tested against it. Only the fields of protocol 1.0 samples are declared; protobuf skips the others
 * (metadata, exemplars, native histograms) when decoding.
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms since the epoch
 */
import protobuf from "protobufjs";

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: "repeated", type: "TimeSeries", id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: "repeated", type: "Label", id: 1 },
            samples: { rule: "repeated", type: "Sample", id: 2 },
          },
        },
        Label: { fields: { name: { type: "string", id: 1 }, value: { type: "string", id: 2 } } },
        Sample: { fields: { value: { type: "double", id: 1 }, timestamp: { type: "int64", id: 2 } } },
      },
    },
  },
});

/** The `prometheus.WriteRequest` message type. */
export const writeRequestType = root.lookupType("prometheus.WriteRequest");

/** A decoded label. */
export interface ProtoLabel {
  readonly name: string;
  readonly value: string;
}

/** A decoded sample; int64 timestamps come as numbers or Long objects depending on the runtime. */
export interface ProtoSample {
  readonly value: number;
  readonly timestamp: number | protobuf.Long;
}

/** A decoded time series. */
export interface ProtoTimeSeries {
  readonly labels: readonly ProtoLabel[];
  readonly samples: readonly ProtoSample[];
}

/** Decodes an uncompressed WriteRequest; throws on malformed protobuf. */
export function decodeWriteRequest(bytes: Uint8Array): readonly ProtoTimeSeries[] {
  const message = writeRequestType.decode(bytes) as unknown as { timeseries?: ProtoTimeSeries[] };
  return message.timeseries ?? [];
}

/** An int64 timestamp as a number of ms. */
export function timestampMs(value: number | protobuf.Long): number {
  return typeof value === "number" ? value : protobuf.util.LongBits.from(value).toNumber();
}
