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

test('the web-full build in Chromium: every vector of its operations passes', () => {
  const { run, failures, held } = result.vectors;
  const all = loadVectors();
  const own = all.filter(([, v]) => held.includes(v.operation));
  console.log(`${run} of ${all.length} vectors run in Chromium on web-full (the rest need identity, supply or billing: the nodejs build runs them in Node)`);
  assert.equal(run, own.length, 'the browser ran a different set of vectors');
  assert.ok(run > 150, `${run} vectors`);
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
  // web-full: the engine's storefront flows and every pure family but identity, supply, billing.
  const full = result.full;
  console.log(`web-full build: features ${full.features.join(', ')}; ${full.available} operations (${full.missing} UNSUPPORTED), engine ${full.engineAvailable} (${full.engineMissing} UNSUPPORTED)`);
  for (const f of ['engine', 'ops-inventory', 'ops-forecast', 'ops-optimize', 'ops-pricing']) assert.ok(full.features.includes(f), f);
  for (const f of ['engine-auth', 'engine-supply', 'engine-billing', 'templates', 'ops-identity', 'ops-supply', 'ops-billing']) assert.ok(!full.features.includes(f), f);
  assert.ok(full.missing > 0 && full.engineMissing > 0);
});

test('garbage into every export in Chromium: typed errors only, module keeps working', () => {
  console.log(`${result.garbage.calls} garbage calls in Chromium`);
  assert.ok(result.garbage.calls > 1000);
  assert.deepEqual(result.garbage.failures, []);
  assert.ok(result.garbage.sane);
});
