/**
 * The in-process bus: a listener set per race, called synchronously in
 * publish order. As a SharedBus it links processes that live in one (tests):
 * `share` reaches every `follow`er, with the same order.
 */
import type { BusFollow, BusListener, BusMessage, LiveBus, SharedBus } from '../index.js';

export class MemoryBus implements LiveBus, SharedBus {
  readonly name = 'memory';
  private readonly listeners = new Map<string, Set<BusListener>>();
  private readonly followers = new Set<BusListener>();

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

  async share(message: BusMessage): Promise<void> {
    for (const follower of this.followers) follower(message);
  }

  async follow(listener: BusListener): Promise<BusFollow> {
    // Its own function object, so the same listener may follow twice and stop once.
    const follower: BusListener = (message) => listener(message);
    this.followers.add(follower);
    return { stop: async () => void this.followers.delete(follower) };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.followers.clear();
  }
}
