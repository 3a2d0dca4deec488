// The playground page in headless Chromium: browse, add to cart, apply a coupon, check the
// totals shown against the cross-host vector of the same cart, check out on the sandbox
// gateway, and save a screenshot under the test output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { start } from '../../scripts/serve.mjs';
import { launch } from '../shared/chromium.mjs';
import { OUT } from '../shared/load-module-node.mjs';
import { VECTOR_ROOT } from '../shared/load-vectors-node.mjs';
import { jsonEqual } from '../shared/vectors.mjs';

const VECTOR = JSON.parse(readFileSync(join(VECTOR_ROOT, 'pricing/playground_cart.json'), 'utf8'));
const SHOTS = join(OUT, 'test-output');

let server;
let browser;
let page;
const pageErrors = [];
const requested = [];

before(async () => {
  server = await start(0);
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}/playground/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function addFromSearch(text, productId, times = 1) {
  await page.fill('#search-text', text);
  const button = page.locator(`#products li[data-product="${productId}"] button.add`);
  await button.waitFor();
  for (let i = 0; i < times; i++) await button.click();
}

const totalsShown = () => page.$$eval('#totals td', (tds) =>
  Object.fromEntries(tds.map((td) => [td.dataset.total, td.querySelector('.money')?.dataset.amount ?? null])));

test('the page starts on the size-budgeted web build', () => {
  assert.ok(requested.includes('/pkg/kassa_bg.wasm'), requested.join(', '));
});

test('the catalog is browsable and searchable', async () => {
  assert.equal(await page.locator('#products li').count(), 9, 'first page of 9');
  const all = await page.textContent('#result-count');
  await page.fill('#search-text', 'coffee');
  await page.waitForFunction((prev) => document.querySelector('#result-count').textContent !== prev, all);
  const found = Number.parseInt(await page.textContent('#result-count'), 10);
  assert.ok(found > 0 && found < Number.parseInt(all, 10), `coffee: ${found} of ${all}`);
  const names = await page.$$eval('#products .name', (ns) => ns.map((n) => n.textContent));
  assert.ok(names.some((n) => /yirgacheffe|huila|decaf/i.test(n)), names.join(', '));
  await page.fill('#search-text', '');
});

test('add to cart, apply a coupon: the totals shown are the vector\'s', async () => {
  await addFromSearch('organic tee', 'prod-organic-cotton-tee', 2);
  await addFromSearch('graphic tee', 'prod-graphic-tee-kassa', 1);
  await addFromSearch('yirgacheffe', 'prod-ethiopia-yirgacheffe', 1);
  const before = await totalsShown();
  await page.fill('#coupon', 'WELCOME10');
  await page.click('#apply-coupon');
  await page.waitForFunction((prev) => document.querySelector('#totals td[data-total="grandTotal"] .money')?.dataset.amount !== prev, before.grandTotal);
  const shown = await totalsShown();
  const input = await page.evaluate(() => window.__playground.lastInput);
  assert.ok(jsonEqual(input, VECTOR.input), `the page priced a different cart:\n${JSON.stringify(input)}`);
  for (const [key, amount] of Object.entries(shown)) {
    assert.equal(amount, VECTOR.expected.totals[key].amount, `${key} shown ${amount}`);
  }
  const explanation = await page.$$eval('#explain li', (lis) => lis.map((l) => l.textContent));
  assert.ok(explanation.some((t) => t.includes('WELCOME10')), explanation.join('\n'));
  assert.ok(explanation.some((t) => t.includes('3 T-shirts')), explanation.join('\n'));
});

test('checkout on the sandbox gateway shows the order\'s status timeline', async () => {
  await page.click('#checkout');
  await page.waitForSelector('#timeline li', { timeout: 60_000 });
  const note = await page.textContent('#checkout-note');
  assert.match(note, new RegExp(`total ${VECTOR.expected.totals.grandTotal.amount.replace('.', '\\.')} EUR`));
  const steps = await page.$$eval('#timeline li', (lis) => lis.map((l) => `${l.dataset.machine}:${l.dataset.to}`));
  assert.ok(steps.includes('order:confirmed'), steps.join(', '));
  assert.ok(steps.some((s) => s.startsWith('payment:')), steps.join(', '));
  assert.ok(requested.includes('/pkg-full/kassa_bg.wasm'), 'the checkout runs on the web-full build');
});

test('the efficient frontier is drawn', async () => {
  await page.waitForSelector('body[data-frontier="true"]', { timeout: 60_000 });
  assert.ok(await page.locator('#frontier svg circle').count() > 2);
});

test('screenshot saved; no page errors', async () => {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, 'playground.png');
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot: ${path}`);
  assert.deepEqual(pageErrors, []);
  assert.equal(await page.isHidden('#error'), true, await page.textContent('#error'));
});
