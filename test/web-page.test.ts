/**
 * The app's page as the server sends it (src/server/web.ts): the stylesheet
 * Vite links is inlined, so the first paint waits for no request but the
 * script's (bench:web first paint).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inlineStyles } from '../src/server/web.js';

describe('inlineStyles', () => {
  const root = mkdtempSync(join(tmpdir(), 'sarthe-web-page-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'assets', 'main-abc.css'), '.row { height: 26px } /* </style> */');
  const page = (links: string): string => `<!doctype html><html><head>${links}<script type="module" src="./assets/main-abc.js"></script></head><body></body></html>`;

  it("puts Vite's stylesheet in a <style> element, escaping what would end it early", () => {
    const html = inlineStyles(page('<link rel="stylesheet" crossorigin href="./assets/main-abc.css">'), root);
    assert.ok(!html.includes('<link rel="stylesheet"'), html);
    assert.ok(html.includes('<style>.row { height: 26px } /* <\\/style> */</style>'), html);
    assert.ok(html.includes('<script type="module" src="./assets/main-abc.js"></script>'), 'the script stays');
  });

  it('leaves a link to a missing file, and a page without one, as they are', () => {
    const missing = page('<link rel="stylesheet" crossorigin href="./assets/gone.css">');
    assert.equal(inlineStyles(missing, root), missing);
    assert.equal(inlineStyles(page(''), root), page(''));
  });

  it('cleans up', () => rmSync(root, { recursive: true, force: true }));
});
