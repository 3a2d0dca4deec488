// Bench: pricing a 20-line cart in wasm (the `nodejs` build, in Node) against a plain big.js
// implementation of the same rules, in the same run; plus the call overhead of the boundary.
// The big.js peer is checked to produce the same totals and line amounts to the digit before
// anything is timed. Usage: node bench/pricing.bench.mjs [--quick]
import Big from 'big.js';
import { loadNodeBuild } from '../test/shared/load-module-node.mjs';

const kassa = loadNodeBuild();
const QUICK = process.argv.includes('--quick');

// ---- the cart and the rules ----
const LINES = 20;
export function cartInput() {
  const lines = [];
  for (let i = 0; i < LINES; i++) {
    const cents = 199 + ((i * 7919) % 9000); // 1.99 .. 91.98
    lines.push({
      lineId: `l${String(i).padStart(2, '0')}`,
      sku: `SKU-${i}`,
      productId: `p${i}`,
      categoryIds: [i % 3 === 0 ? 'cat-a' : 'cat-b'],
      quantity: 1 + (i % 5),
      unitPrice: { amount: (cents / 100).toFixed(2), currency: 'USD' },
    });
  }
  return {
    lines,
    promotions: [
      { id: 'a15', priority: 10, target: { type: 'categories', ids: ['cat-a'] }, action: { type: 'percent_off', percent: '15' } },
      { id: 'save10', conditions: { couponRequired: true }, target: { type: 'order' }, action: { type: 'amount_off', amount: { amount: '10.00', currency: 'USD' } } },
    ],
    coupons: [{ code: 'SAVE10', promotionId: 'save10' }],
    couponCodes: ['SAVE10'],
    taxRules: [{ id: 'us-ca', region: 'US-CA', taxClass: 'standard', rate: '0.0825' }],
    shippingRates: [{ id: 'ground', calculation: { type: 'flat', price: { amount: '7.50', currency: 'USD' } }, freeOver: { amount: '2000.00', currency: 'USD' } }],
    context: { region: 'US-CA', currency: 'USD', now: '2026-01-01T00:00:00Z' },
  };
}

// ---- the same rules in plain big.js ----
const HALF_UP = Big.roundHalfUp;
const cents = (b) => b.round(2, HALF_UP);

/** Largest-remainder split of `amount` (2 decimals) over `weights`, ties to the earlier share. */
function allocate(amount, weights) {
  const total = Number(amount.times(100));
  const sum = weights.reduce((s, w) => s.plus(w), new Big(0));
  const raw = weights.map((w) => w.times(total).div(sum));
  const floors = raw.map((r) => r.round(0, Big.roundDown));
  let rest = total - floors.reduce((s, f) => s + Number(f), 0);
  const order = raw.map((r, i) => [r.minus(floors[i]), i]).sort((a, b) => b[0].cmp(a[0]) || a[1] - b[1]);
  const parts = floors.map(Number);
  for (const [, i] of order) {
    if (rest-- <= 0) break;
    parts[i] += 1;
  }
  return parts.map((p) => new Big(p).div(100));
}

export function priceWithBig(input) {
  const rate = new Big(input.taxRules[0].rate);
  const lines = [...input.lines].sort((a, b) => (a.lineId < b.lineId ? -1 : 1)).map((l) => {
    const subtotal = cents(new Big(l.unitPrice.amount).times(l.quantity));
    return { lineId: l.lineId, subtotal, net: subtotal, discount: new Big(0), cats: l.categoryIds };
  });
  // Kassa applies promotions in ascending priority: the coupon (0) before the category deal (10).
  // 10.00 off the order (coupon), spread over the nets
  const sumNets = lines.reduce((s, l) => s.plus(l.net), new Big(0));
  const off = new Big('10.00').gt(sumNets) ? sumNets : new Big('10.00');
  allocate(off, lines.map((l) => l.net)).forEach((d, i) => {
    lines[i].discount = lines[i].discount.plus(d);
    lines[i].net = lines[i].net.minus(d);
  });
  // 15 % off category lines, per line
  for (const l of lines) {
    if (!l.cats.includes('cat-a')) continue;
    let d = cents(l.net.times(15).div(100));
    if (d.gt(l.net)) d = l.net;
    l.discount = l.discount.plus(d);
    l.net = l.net.minus(d);
  }
  let taxTotal = new Big(0);
  let subtotal = new Big(0);
  let discountTotal = new Big(0);
  let merch = new Big(0);
  for (const l of lines) {
    l.tax = cents(l.net.times(rate));
    l.total = l.net.plus(l.tax);
    taxTotal = taxTotal.plus(l.tax);
    subtotal = subtotal.plus(l.subtotal);
    discountTotal = discountTotal.plus(l.discount);
    merch = merch.plus(l.net);
  }
  const rateDef = input.shippingRates[0];
  const shipping = merch.gte(rateDef.freeOver.amount) ? new Big(0) : new Big(rateDef.calculation.price.amount);
  const grand = lines.reduce((s, l) => s.plus(l.total), new Big(0)).plus(shipping);
  return {
    lines: lines.map((l) => ({ lineId: l.lineId, discountTotal: l.discount.toFixed(2), tax: l.tax.toFixed(2), total: l.total.toFixed(2) })),
    totals: { subtotal: subtotal.toFixed(2), discountTotal: discountTotal.toFixed(2), shippingTotal: shipping.toFixed(2), taxTotal: taxTotal.toFixed(2), grandTotal: grand.toFixed(2) },
  };
}

function sameAnswer(wasm, big) {
  for (const k of Object.keys(big.totals)) {
    if (wasm.totals[k].amount !== big.totals[k]) return `${k}: wasm ${wasm.totals[k].amount}, big.js ${big.totals[k]}`;
  }
  for (const bl of big.lines) {
    const wl = wasm.lines.find((l) => l.lineId === bl.lineId);
    for (const k of ['discountTotal', 'tax', 'total']) {
      if (wl[k].amount !== bl[k]) return `${bl.lineId}.${k}: wasm ${wl[k].amount}, big.js ${bl[k]}`;
    }
  }
  return null;
}

// ---- timing ----
function time(name, fn, iterations) {
  for (let i = 0; i < Math.min(iterations, 200); i++) fn(); // warm-up
  const runs = [];
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / iterations / 1000);
  }
  runs.sort((a, b) => a - b);
  return { name, usPerOp: runs[2], min: runs[0], max: runs[4], iterations };
}

const input = cartInput();
const mismatch = sameAnswer(kassa.priceCart(input), priceWithBig(input));
if (mismatch) {
  console.error(`the big.js peer does not compute the same prices: ${mismatch}`);
  process.exit(1);
}
const text = JSON.stringify(input);
const small = { amount: { amount: '2.345', currency: 'USD' }, mode: 'half_even' };
const smallText = JSON.stringify(small);
const n = QUICK ? 300 : 3000;
const results = [
  time('priceCart (wasm, JS objects in/out)', () => kassa.priceCart(input), n),
  time('callJson pricing.price_cart (wasm, JSON text in/out)', () => kassa.callJson('pricing.price_cart', text), n),
  time('big.js, same rules', () => priceWithBig(input), n),
  time('call overhead: version() (no conversion)', () => kassa.version(), n * 20),
  time('call overhead: roundMoney (tiny object in/out)', () => kassa.roundMoney(small), n * 10),
  time('call overhead: callJson money.round (tiny JSON text)', () => kassa.callJson('money.round', smallText), n * 10),
];
console.log(`node ${process.version}, ${LINES}-line cart, both implementations agree to the digit (grand total ${priceWithBig(input).totals.grandTotal})`);
console.log('| what | µs per call (median of 5) | min – max |');
console.log('|---|---:|---:|');
for (const r of results) console.log(`| ${r.name} | ${r.usPerOp.toFixed(2)} | ${r.min.toFixed(2)} – ${r.max.toFixed(2)} |`);
