/** The store contract (store-contract.ts) on the embedded SQLite store, one file per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteContentStore } from '../src/store/sqlite/content.js';
import { SqliteEventStore } from '../src/store/sqlite/index.js';
import { storeContract, type Stores } from './store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'sarthe-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function open(file: string): Stores {
  return { events: new SqliteEventStore({ file }), content: new SqliteContentStore({ file }) };
}

storeContract('SQLite', {
  async fresh() {
    const file = join(dir, `store-${++files}.db`);
    return { ...open(file), open: async () => open(file) };
  },
});
