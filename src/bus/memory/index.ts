/** The in-process bus: a listener set per race, called synchronously in publish order. */
import type { BusListener, BusMessage, LiveBus } from '../index.js';

export class MemoryBus implements LiveBus {
  private readonly listeners = new Map<string, Set<BusListener>>();

  publish(message: BusMessage): void {
    const set = this.listeners.get(message.race);
    if (set === undefined) return;
    for (const listener of set) listener(message);
  }

  subscribe(race: string, listener: BusListener): () => void {
    let set = this.listeners.get(race);
    if (set === undefined) this.listeners.set(race, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(race) === set) this.listeners.delete(race);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
