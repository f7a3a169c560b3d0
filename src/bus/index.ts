/**
 * The live bus: carries each race's deltas, tagged with the store seq they
 * reflect, from the one place that computes them to every server that pushes
 * them to viewers. In-process now (memory/); NATS JetStream later, one
 * subject per race, with the same two calls.
 */

export interface BusMessage {
  race: string;
  /** Seq of the last timing event the delta reflects (the SSE `id`). */
  seq: number;
  /** Seq of the message it applies on top of. */
  previousSeq: number;
  /** The LiveDelta as JSON: serialized once by the publisher, whatever the number of viewers. */
  data: string;
}

export type BusListener = (message: BusMessage) => void;

export interface LiveBus {
  publish(message: BusMessage): void;
  /** Listens to one race; returns the function that stops listening. */
  subscribe(race: string, listener: BusListener): () => void;
  close(): Promise<void>;
}
