/** Sarthe's version: package.json's, read once (the OpenAPI document, `sarthe --version`). */
import { readFileSync } from 'node:fs';

/** dist/src/server → the package root is three levels up (src/server → two, when run from source). */
function readVersion(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'sarthe' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not this level
    }
  }
  throw new Error('cannot find the sarthe package.json for the version');
}

export const SARTHE_VERSION = readVersion();
