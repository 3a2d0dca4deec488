// Module behaviour checks shared by the Node and Chromium runs. Each check throws on failure.
import { jsonEqual } from './vectors.mjs';

function ok(cond, msg) {
  if (!cond) throw new Error(msg);
}

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** `[name, fn(kassa, vectors)]` */
export const checks = [
  ['every operation has exactly one typed export, and it is the same operation', (kassa, vectors) => {
    const typed = kassa.typedExports();
    const ops = typed.map(([, op]) => op).sort();
    ok(jsonEqual(ops, [...kassa.operations()].sort()), `typed exports ${ops} vs operations ${kassa.operations()}`);
    const available = kassa.availableOperations();
    for (const [js, op] of typed) {
      ok(typeof kassa[js] === 'function', `${js} is not exported`);
      const sample = vectors.find(([, v]) => v.operation === op && v.expected);
      // An operation the build lacks throws UNSUPPORTED instead (buildChecks proves it).
      if (!sample || !available.includes(op)) continue;
      const got = kassa[js](sample[1].input);
      ok(jsonEqual(got, sample[1].expected), `${js} differs from the vector ${sample[0]}`);
    }
  }],
  ['errors are Error objects with name, code, httpStatus, details and meta', (kassa) => {
    const e = thrown(() => kassa.priceCart({ lines: [], context: { region: 'US', currency: 'USD', now: 'yesterday' } }));
    ok(e instanceof Error, 'not an Error');
    ok(e.name === 'KassaError', `name ${e.name}`);
    ok(e.code === 'VALIDATION_ERROR', `code ${e.code}`);
    ok(e.httpStatus === 400, `httpStatus ${e.httpStatus}`);
    ok(e.details.length === 1 && e.details[0].field === 'context.now', `details ${JSON.stringify(e.details)}`);
    ok(typeof e.stack === 'string' && e.message.includes('context.now'), 'message/stack');
    ok(typeof e.meta === 'object' && !Array.isArray(e.meta), 'meta');
    ok(String(e).startsWith('KassaError: '), `toString ${String(e)}`);
    const nf = thrown(() => kassa.call('no.such', {}));
    ok(nf.code === 'NOT_FOUND' && nf.httpStatus === 404 && nf.meta.resource === 'operation', `not found ${JSON.stringify(nf.meta)}`);
  }],
  ['the field path of a bad nested field is named', (kassa) => {
    const line = { lineId: 'a', sku: 's', productId: 'p', quantity: 1, unitPrice: { amount: '1.00', currency: 'USD' } };
    const e = thrown(() => kassa.priceCart({
      lines: [line, { ...line, lineId: 'b', quantity: 'two' }],
      context: { region: 'US', currency: 'USD', now: '2026-01-01T00:00:00Z' },
    }));
    ok(e.details.some((d) => d.field === 'lines[1].quantity'), JSON.stringify(e.details));
  }],
  ['money crosses as decimal strings; a float amount is refused', (kassa) => {
    const parts = kassa.allocateMoney({ amount: { amount: '100.00', currency: 'USD' }, weights: ['1', '1', '1'] });
    ok(jsonEqual(parts.map((m) => m.amount), ['33.34', '33.33', '33.33']), JSON.stringify(parts));
    const e = thrown(() => kassa.roundMoney({ amount: { amount: 2.345, currency: 'USD' }, mode: 'half_up' }));
    ok(e.code === 'VALIDATION_ERROR', e.code);
    const big = kassa.roundMoney({ amount: { amount: '12345678901234567890.125', currency: 'USD' }, mode: 'half_even' });
    ok(big.amount === '12345678901234567890.12', big.amount);
  }],
  ['a Date is accepted where the core takes an instant', (kassa) => {
    const line = { lineId: 'a', sku: 's', productId: 'p', quantity: 2, unitPrice: { amount: '1.50', currency: 'USD' } };
    const a = kassa.priceCart({ lines: [line], context: { region: 'US', currency: 'USD', now: new Date('2026-01-01T00:00:00Z') } });
    const b = kassa.priceCart({ lines: [line], context: { region: 'US', currency: 'USD', now: '2026-01-01T00:00:00Z' } });
    ok(jsonEqual(a, b) && a.totals.grandTotal.amount === '3.00', JSON.stringify(a.totals));
  }],
  ['callJson is call on JSON text', (kassa, vectors) => {
    const [, v] = vectors.find(([, x]) => x.operation === 'pricing.price_cart' && x.expected);
    ok(jsonEqual(JSON.parse(kassa.callJson(v.operation, JSON.stringify(v.input))), v.expected), 'differs');
    const e = thrown(() => kassa.callJson('pricing.price_cart', '{oops'));
    ok(e.code === 'VALIDATION_ERROR' && e.details[0].field === 'input', JSON.stringify(e.details));
  }],
  ['errorCodes lists every code with its HTTP status; version is the crate version', (kassa) => {
    const codes = kassa.errorCodes();
    ok(codes.length === 11, `${codes.length} codes`);
    ok(codes.find((c) => c.code === 'RATE_LIMITED').httpStatus === 429, 'RATE_LIMITED');
    ok(codes.find((c) => c.code === 'UNSUPPORTED').httpStatus === 501, 'UNSUPPORTED');
    ok(/^\d+\.\d+\.\d+/.test(kassa.version()), kassa.version());
  }],
];

/**
 * The build's own description: `availableOperations()` is a subset of `operations()` in the
 * same order, `features()` names the families it holds, and every operation outside it
 * throws `UNSUPPORTED` naming its family's feature (typed export and `call` alike), while
 * `Engine.inMemory` throws `UNSUPPORTED` (feature `engine`) when the build has no engine, and
 * a setup without `catalog` throws `UNSUPPORTED` (feature `sample-catalog`) when the build
 * leaves the sample catalog out (`web-full`).
 * Holds for every build (in the full one, nothing is missing).
 */
export function buildChecks(kassa) {
  const all = kassa.operations();
  const available = kassa.availableOperations();
  ok(jsonEqual(available, all.filter((op) => available.includes(op))), 'availableOperations is an ordered subset');
  const features = kassa.features();
  const missing = all.filter((op) => !available.includes(op));
  const typed = new Map(kassa.typedExports().map(([js, op]) => [op, js]));
  for (const op of missing) {
    for (const [how, fn] of [['call', () => kassa.call(op, {})], ['typed', () => kassa[typed.get(op)]({})]]) {
      if (how === 'typed' && !typed.has(op)) continue;
      let err = null;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      ok(err instanceof Error && err.name === 'KassaError' && err.code === 'UNSUPPORTED' && err.httpStatus === 501,
        `${how} ${op}: ${err && err.code} ${err && err.message}`);
      ok(typeof err.meta.feature === 'string' && err.meta.feature.startsWith('ops-') && !features.includes(err.meta.feature),
        `${op}: meta.feature ${err.meta.feature}`);
      ok(err.meta.operation === op, `${op}: meta.operation ${err.meta.operation}`);
    }
  }
  let engineErr = null;
  try {
    kassa.Engine.inMemory({}).free();
  } catch (e) {
    engineErr = e;
  }
  if (!features.includes('engine')) {
    ok(engineErr && engineErr.code === 'UNSUPPORTED' && engineErr.meta.feature === 'engine', `Engine.inMemory: ${engineErr && engineErr.code}`);
  } else if (features.includes('sample-catalog')) {
    ok(engineErr === null, `Engine.inMemory threw ${engineErr && engineErr.message}`);
  } else {
    ok(engineErr && engineErr.code === 'UNSUPPORTED' && engineErr.meta.feature === 'sample-catalog'
      && engineErr.meta.field === 'catalog', `Engine.inMemory without a catalog: ${engineErr && engineErr.code}`);
    kassa.Engine.inMemory({ catalog: { categories: [], products: [] } }).free();
  }
  const engineAll = kassa.Engine.operations();
  const engineAvailable = kassa.Engine.availableOperations();
  ok(jsonEqual(engineAvailable, engineAll.filter((op) => engineAvailable.includes(op))), 'Engine.availableOperations is an ordered subset');
  if (!features.includes('engine')) ok(engineAvailable.length === 0, 'no engine, no engine operations');
  return { available: available.length, missing: missing.length, features,
    engineAvailable: engineAvailable.length, engineMissing: engineAll.length - engineAvailable.length };
}

