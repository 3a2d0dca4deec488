// The cross-host vectors, the module checks and the garbage suite in headless Chromium,
// against the `web` build served by the local static server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../../scripts/serve.mjs';
import { launch } from '../shared/chromium.mjs';
import { loadVectors } from '../shared/load-vectors-node.mjs';

let server;
let browser;
let result;

before(async () => {
  server = await start(0);
  browser = await launch();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/test/browser/harness.html`);
  await page.waitForFunction(() => window.__kassaResult !== undefined, null, { timeout: 240_000 });
  result = await page.evaluate(() => window.__kassaResult);
  assert.deepEqual(errors, [], 'uncaught page errors');
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the web build loads in Chromium', () => {
  assert.equal(result.error, null);
  console.log(`browser: ${result.userAgent}`);
});

test('every vector passes in Chromium', () => {
  const { run, failures } = result.vectors;
  console.log(`${run} vectors run in Chromium`);
  assert.equal(run, loadVectors().length, 'the browser ran a different set of vectors');
  assert.deepEqual(failures, []);
});

test('module checks pass in Chromium', () => {
  assert.ok(result.checks.length >= 11, `${result.checks.length} checks ran`);
  for (const c of result.checks) assert.ok(c.ok, `${c.name}: ${c.message}`);
});

test('the size-budgeted web build in Chromium: its vectors pass, the rest is UNSUPPORTED', () => {
  const { vectors, build, sane } = result.web;
  console.log(`web build: features ${build.features.join(', ')}; ${build.available} operations, ${build.missing} UNSUPPORTED; ${vectors.run} vectors`);
  assert.ok(vectors.run > 100, `${vectors.run} vectors`);
  assert.deepEqual(vectors.failures, []);
  assert.ok(build.missing > 0 && !build.features.includes('engine'));
  assert.ok(sane);
  assert.equal(result.full.missing, 0, 'the full build runs every operation');
});

test('garbage into every export in Chromium: typed errors only, module keeps working', () => {
  console.log(`${result.garbage.calls} garbage calls in Chromium`);
  assert.ok(result.garbage.calls > 1000);
  assert.deepEqual(result.garbage.failures, []);
  assert.ok(result.garbage.sane);
});
