// Writes core/tests/vectors/pricing/playground_cart.json: the cart the playground test builds
// (2 organic tees, 1 graphic tee, 1 Ethiopian coffee, coupon WELCOME10) priced with the
// playground's rules (examples/web/store.json). Run once after a rule change, then review the
// numbers by hand: the playground test checks the page against this file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadNodeBuild } from '../test/shared/load-module-node.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const kassa = loadNodeBuild();
const catalog = JSON.parse(readFileSync(join(ROOT, 'examples/data/catalog.json'), 'utf8'));
const store = JSON.parse(readFileSync(join(ROOT, 'examples/web/store.json'), 'utf8'));
const context = { region: store.region, currency: store.currency };
let cart = { currency: store.currency, lines: [] };
const add = (sku) => {
  const existing = cart.lines.find((l) => l.sku === sku);
  cart = kassa.applyCart({ catalog, cart, operations: [existing ? { op: 'set_quantity', lineId: existing.lineId, quantity: existing.quantity + 1 } : { op: 'add', sku, quantity: 1 }] });
};
for (const sku of ['TEE-ORG-WHT-S', 'TEE-ORG-WHT-S', 'TEE-GFX-S', 'COF-ETH-250']) add(sku);
const input = {
  lines: kassa.cartPricingLines({ catalog, cart, context }),
  promotions: store.promotions,
  coupons: store.coupons,
  couponCodes: ['WELCOME10'],
  taxRules: store.taxRules,
  shippingRates: store.shippingRates,
  context: { region: store.region, currency: store.currency, customerId: store.customerId, now: store.now },
};
const expected = kassa.priceCart(input);
const vector = {
  description: 'The playground cart (examples/web): 2 organic tees at 24.90, a graphic tee at 29.90 and an Ethiopian coffee at 12.90, EUR prices incl. VAT, subtotal 92.60. WELCOME10 (priority 0, applied first) takes 10 % of the order: 9.26; then 3 T-shirts for 2 makes the cheapest tee free at its discounted net 22.41. Nets 60.93, under the 75.00 free-shipping threshold, so 4.90 shipping: 65.83. Only the tees are standard-rated (19 % included: 49.32 x 0.19 / 1.19 = 7.88); the coffee has a tax class without a rule here.',
  operation: 'pricing.price_cart',
  input,
  expected,
};
const path = join(ROOT, 'core/tests/vectors/pricing/playground_cart.json');
writeFileSync(path, `${JSON.stringify(vector, null, 2)}\n`);
console.log(`${path}: grand total ${expected.totals.grandTotal.amount}`);
