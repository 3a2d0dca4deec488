// The engine over in-memory ports through promises; shared by the Node and Chromium runs.
import { isKassaError, refusedEverywhere, maybeAccepted } from './garbage.mjs';

function ok(cond, msg) {
  if (!cond) throw new Error(msg);
}
async function rejects(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

// The sample catalog comes from the runner (`data.catalog`): `web-full` leaves it out of the
// module, so every setup names its catalog.
const BASE = {
  start: '2026-03-02T09:00:00Z',
  engine: { defaultRegion: 'DE' },
  stock: [{ sku: 'TEE-ORG-WHT-S', onHand: 5 }, { sku: 'COF-ETH-250', onHand: 3 }],
  rules: {
    promotions: [{ id: 'welcome', conditions: { couponRequired: true }, target: { type: 'order' }, action: { type: 'percent_off', percent: '10' } }],
    coupons: [{ code: 'WELCOME10', promotionId: 'welcome' }],
    taxRules: [{ id: 'de-vat', rate: '0.19', region: 'DE', taxClass: 'standard' }],
    shippingRates: [{ id: 'dhl', regions: ['DE'], calculation: { type: 'flat', price: { amount: '4.90', currency: 'EUR' } } }],
  },
};
const setupOf = (data) => ({ ...BASE, catalog: data.catalog });
const alice = { id: 'alice', roles: ['customer'] };
const mallory = { id: 'mallory', roles: ['customer'] };

const eur = (amount) => ({ amount, currency: 'EUR' });
const PLACED = {
  type: 'order_placed',
  order: {
    orderId: 'o1', orderNumber: 'KS-000001', customerId: 'alice', status: 'confirmed',
    paymentStatus: 'captured', fulfillmentStatus: 'unfulfilled', subtotal: eur('10.00'),
    discount: eur('0.00'), tax: eur('0.00'), shipping: eur('0.00'), total: eur('10.00'),
    lines: [{ sku: 'A', name: '<Mug>', quantity: 1, total: eur('10.00') }],
  },
};

/** The feature of kassa an engine operation needs beyond `engine` (null: none). */
function engineFeatureOf(op) {
  if (op === 'notify.render') return 'templates';
  for (const family of ['auth', 'supply', 'billing']) if (op.startsWith(`${family}.`)) return `engine-${family}`;
  return null;
}

export const engineChecks = [
  ['engine: an operation of a family the build lacks rejects UNSUPPORTED naming its feature', async (kassa, data) => {
    const engine = kassa.Engine.inMemory(setupOf(data));
    const features = kassa.features();
    const available = kassa.Engine.availableOperations();
    for (const op of kassa.Engine.operations()) {
      const feature = engineFeatureOf(op);
      const held = feature === null || features.includes(feature);
      ok(held === available.includes(op), `${op}: available ${available.includes(op)}, feature ${feature}`);
      if (held) continue;
      const e = await rejects(engine.call(op, { actor: alice }));
      ok(isKassaError(e) && e.code === 'UNSUPPORTED' && e.httpStatus === 501 && e.meta.feature === feature
        && e.meta.operation === op, `${op}: ${e.code} ${e.message} ${JSON.stringify(e.meta)}`);
    }
    // An auth setup in a build without the identity flows is refused, not ignored.
    if (!features.includes('engine-auth')) {
      let err = null;
      try {
        kassa.Engine.inMemory({ ...setupOf(data), auth: { kid: 'k1', hs256Secret: 'x'.repeat(32), issuer: 'i', audience: 'a' } }).free();
      } catch (e) {
        err = e;
      }
      ok(isKassaError(err) && err.code === 'UNSUPPORTED' && err.meta.feature === 'engine-auth', `auth setup: ${err && err.code} ${err && err.message}`);
    }
    engine.free();
  }],
  ['engine: notify.render renders with templates, else rejects UNSUPPORTED (feature templates)', async (kassa, data) => {
    const engine = kassa.Engine.inMemory(setupOf(data));
    if (kassa.features().includes('templates')) {
      const m = await engine.call('notify.render', { event: PLACED });
      ok(m.subject === 'Order KS-000001 confirmed' && m.html.includes('&lt;Mug&gt;'), JSON.stringify(m));
    } else {
      const e = await rejects(engine.call('notify.render', { event: PLACED }));
      ok(isKassaError(e) && e.code === 'UNSUPPORTED' && e.httpStatus === 501 && e.meta.feature === 'templates',
        `${e.code}: ${e.message} ${JSON.stringify(e.meta)}`);
    }
    engine.free();
  }],
  ['engine: a checkout on the sandbox gateway, through promises', async (kassa, data) => {
    const engine = kassa.Engine.inMemory(setupOf(data));
    const pending = engine.call('cart.create', { actor: alice, currency: 'EUR' });
    ok(pending instanceof Promise, 'call answers a Promise');
    const { id: cartId } = await pending;
    const cart = await engine.call('cart.add', { actor: alice, cartId, sku: 'TEE-ORG-WHT-S', quantity: 2 });
    ok(cart.cart.lines.length === 1 && cart.cart.lines[0].quantity === 2, JSON.stringify(cart));
    const request = { cartId, paymentToken: 'tok_approve', couponCodes: ['WELCOME10'] };
    const quote = await engine.call('checkout.quote', { actor: alice, request });
    // 2 × 24.90 incl. VAT = 49.80, 10 % off = 44.82, + 4.90 shipping = 49.72
    ok(quote.totals.grandTotal.amount === '49.72', `quote ${JSON.stringify(quote.totals.grandTotal)}`);
    const order = await engine.call('checkout.run', { actor: alice, idempotencyKey: 'k1', request: { ...request, expectedTotal: quote.totals.grandTotal } });
    ok(order.status === 'confirmed' && order.payment.status === 'captured', `${order.status} / ${order.payment.status}`);
    ok(order.totals.total.amount === '49.72', JSON.stringify(order.totals.total));
    ok(order.history.some((h) => h.machine === 'payment' && h.to === 'captured'), JSON.stringify(order.history));
    const again = await engine.call('order.get', { actor: alice, orderId: order.id });
    ok(again.id === order.id, 'order.get');
    const foreign = await rejects(engine.call('order.get', { actor: mallory, orderId: order.id }));
    ok(isKassaError(foreign) && foreign.code === 'NOT_FOUND', `foreign order: ${foreign.code}`);
    const events = await engine.call('memory.drain_events');
    ok(Array.isArray(events) && events.length > 0, 'outbox events');
    const stock = await engine.call('inventory.availability', { skus: ['TEE-ORG-WHT-S'] });
    ok(JSON.stringify(stock).includes('3'), `stock after the sale: ${JSON.stringify(stock)}`);
  }],
  ['engine: a declined card rejects with PAYMENT_DECLINED; out of stock with OUT_OF_STOCK', async (kassa, data) => {
    const engine = kassa.Engine.inMemory(setupOf(data));
    const { id: cartId } = await engine.call('cart.create', { actor: alice, currency: 'EUR' });
    await engine.call('cart.add', { actor: alice, cartId, sku: 'COF-ETH-250', quantity: 1 });
    const e = await rejects(engine.call('checkout.run', { actor: alice, idempotencyKey: 'd1', request: { cartId, paymentToken: 'tok_decline' } }));
    ok(isKassaError(e) && e.code === 'PAYMENT_DECLINED' && e.httpStatus === 422, `${e.name} ${e.code}`);
    const { id: big } = await engine.call('cart.create', { actor: alice, currency: 'EUR' });
    const oos = await rejects((async () => {
      await engine.call('cart.add', { actor: alice, cartId: big, sku: 'COF-ETH-250', quantity: 50 });
      await engine.call('checkout.run', { actor: alice, idempotencyKey: 'o1', request: { cartId: big, paymentToken: 'tok_approve' } });
    })());
    ok(isKassaError(oos) && oos.code === 'OUT_OF_STOCK', `${oos.code}: ${oos.message}`);
  }],
  ['engine: concurrent promises all settle, the clock moves only when told', async (kassa, data) => {
    const engine = kassa.Engine.inMemory(setupOf(data));
    const carts = await Promise.all(Array.from({ length: 20 }, () => engine.call('cart.create', { actor: alice, currency: 'EUR' })));
    ok(new Set(carts.map((c) => c.id)).size === 20, 'distinct cart ids');
    const t0 = await engine.call('memory.now');
    await engine.call('memory.advance_clock', { seconds: 3600 });
    const t1 = await engine.call('memory.now');
    ok(Date.parse(t1) - Date.parse(t0) === 3600_000, `${t0} -> ${t1}`);
    ok(kassa.Engine.operations().includes('checkout.run'), 'operations');
  }],
  ['engine: garbage rejects with KassaError and the engine keeps working', async (kassa, data) => {
    const bad = (() => { try { kassa.Engine.inMemory({ stock: 'lots' }); } catch (e) { return e; } return null; })();
    ok(isKassaError(bad) && bad.details[0].field === 'stock', `inMemory garbage: ${bad && bad.message}`);
    const engine = kassa.Engine.inMemory(setupOf(data));
    let calls = 0;
    for (const op of [...kassa.Engine.operations(), 'no.such', 42, undefined]) {
      for (const [, value] of [...refusedEverywhere().filter(([w]) => w !== 'undefined'), ...maybeAccepted()]) {
        calls++;
        try {
          await engine.call(op, value);
        } catch (e) {
          ok(isKassaError(e), `engine.call(${String(op)}) threw ${e && e.name}: ${e && e.message}`);
        }
      }
    }
    const { id } = await engine.call('cart.create', { actor: alice, currency: 'EUR' });
    ok(typeof id === 'string' && id.length > 0, 'still works');
    return calls;
  }],
];
