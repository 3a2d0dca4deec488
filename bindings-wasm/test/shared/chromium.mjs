// Headless Debian Chromium through playwright-core (no browser download: the system binary).
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.KASSA_CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
}
