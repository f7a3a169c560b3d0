/**
 * Debian's chromium driven by playwright-core, for the browser tests
 * (test/web-browser.test.ts, test/site-browser.test.ts).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Without chromium a browser suite is skipped, except with CI=true where that is a failure (.ci/run installs it). */
export function browserAvailable(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  if (process.env.CI === 'true') throw new Error(`CI=true but chromium is missing at ${CHROMIUM} (apt-get install chromium)`);
  return { skip: `chromium not found at ${CHROMIUM}` };
}

export interface Chromium {
  browser: BrowserContext;
  /** Closes the browser and removes its profile. */
  close(): Promise<void>;
}

/** Headless chromium on a fresh profile (launchPersistentContext is how Playwright takes --user-data-dir). */
export async function launchChromium(): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), 'sarthe-chromium-'));
  try {
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: DESKTOP,
      deviceScaleFactor: 1,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    return {
      browser,
      async close() {
        await browser.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
