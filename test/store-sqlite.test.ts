/**
 * What is SQLite's own: the stored body format. Everything an event store
 * promises is checked on every store by store-contract.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { entry, lap, session } from './helpers.js';

describe('stored event bodies', () => {
  it('are the canonical JSON of the event, whatever order its fields were built in', async () => {
    const { canonicalJson } = await import('../src/model/events.js');
    const { eventBody } = await import('../src/store/index.js');
    const crew = entry('7', 'LMP1', { drivers: [{ name: 'Kamui KOBAYASHI', number: 2 }, { number: 1, name: 'Mike CONWAY' }] });
    const reordered = Object.fromEntries(Object.entries(lap('7', 1, 1000)).reverse()) as ReturnType<typeof lap>;
    for (const event of [session(), crew, lap('7', 1, 1000), reordered]) assert.equal(eventBody(event), canonicalJson(event));
    assert.equal(eventBody(reordered), eventBody(lap('7', 1, 1000)));
  });
});
