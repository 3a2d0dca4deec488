// Garbage input over every export: each call either returns or throws a KassaError (a real
// Error with name, code, httpStatus, details, meta), never a trap, a TypeError or a string;
// and the module keeps answering correctly afterwards. Shared by the Node and Chromium runs.

const CODES = new Set([
  'VALIDATION_ERROR', 'UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'OUT_OF_STOCK',
  'PAYMENT_DECLINED', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL', 'UNSUPPORTED',
]);

/** Values with no JSON form, or of a shape no operation accepts: every export must refuse them. */
export function refusedEverywhere() {
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  return [
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['NaN', Number.NaN],
    ['true', true],
    ['a symbol', Symbol('x')],
    ['a BigInt', 10n ** 30n],
    ['a function', () => 1],
    ['a cyclic object', cyclic],
    ['an object holding a BigInt', { amount: 1n }],
    ['nested arrays 100000 deep', nested(100000)],
  ];
}

/** Values some operation might accept (an empty catalog is a valid catalog): return or throw KassaError. */
export function maybeAccepted() {
  return [
    ['an empty object', {}],
    ['an empty array', []],
    ['a string', 'garbage'],
    ['an empty string', ''],
    ['a huge string', 'x'.repeat(1 << 20)],
    ['a proto-polluting object', JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"p": 1}}}')],
    ['an object of wrong types', { lines: 'x', amount: [], catalog: 7, cart: true, weights: {}, series: 'y' }],
    ['a Date', new Date(0)],
    ['a Map', new Map([['a', 1]])],
    ['a typed array', new Uint8Array([1, 2, 3])],
    ['huge numbers', { amount: { amount: '79228162514264337593543950335', currency: 'USD' }, weights: ['1e30', '1'], quantity: 4294967295 }],
  ];
}

function nested(depth) {
  let v = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Hostile but well-formed pricing requests: extreme quantities and amounts. */
export function hostilePricing() {
  const line = (quantity, amount) => ({
    lineId: 'l', sku: 's', productId: 'p', quantity, unitPrice: { amount, currency: 'USD' },
  });
  const ctx = { region: 'US', currency: 'USD', now: '2026-01-01T00:00:00Z' };
  return [
    ['max u32 quantity at the max decimal', { lines: [line(4294967295, '79228162514264337593543950335')], context: ctx }],
    ['quantity over u32', { lines: [line(4294967296, '1.00')], context: ctx }],
    ['negative quantity', { lines: [line(-1, '1.00')], context: ctx }],
    ['fractional quantity', { lines: [line(1.5, '1.00')], context: ctx }],
    ['28 decimals', { lines: [line(3, '0.0000000000000000000000000001')], context: ctx }],
    ['a float amount', { lines: [line(1, 1.1)], context: ctx }],
    ['percent off 1e27', {
      lines: [line(1000, '1000000000000.00')], context: ctx,
      promotions: [{ id: 'p', target: { type: 'order' }, action: { type: 'percent_off', percent: '1000000000000000000000000000' } }],
    }],
    ['ten thousand lines', { lines: Array.from({ length: 10000 }, (_, i) => ({ ...line(1000000, '99999999.99'), lineId: `l${i}` })), context: ctx }],
  ];
}

export function isKassaError(e) {
  return e instanceof Error && e.name === 'KassaError' && CODES.has(e.code) &&
    Number.isInteger(e.httpStatus) && Array.isArray(e.details) &&
    e.details.every((d) => typeof d.field === 'string' && typeof d.message === 'string') &&
    typeof e.meta === 'object' && e.meta !== null && typeof e.message === 'string' && e.message.length > 0;
}

const describe = (e) => (e instanceof Error ? `${e.constructor.name} ${e.name}: ${e.message}` : `${typeof e} ${String(e)}`);

/**
 * Every export of `kassa` that takes a request: `[label, fn(request)]`. The typed exports come
 * from the module's own list, so a new export cannot escape this test.
 */
export function everyExport(kassa) {
  const list = kassa.typedExports().map(([js, op]) => [js, (r) => kassa[js](r), op]);
  list.push(['call (each op)', null, null]);
  return list;
}

/** A known-good call and its exact answer: proves the module still works. */
export function sanity(kassa) {
  const got = kassa.roundMoney({ amount: { amount: '2.345', currency: 'USD' }, mode: 'half_even' });
  return got.amount === '2.34' && got.currency === 'USD';
}

/** Runs the whole garbage suite; returns `{ calls, failures }`. */
export function runGarbage(kassa) {
  const failures = [];
  let calls = 0;
  const targets = [];
  for (const [js, fn] of everyExport(kassa)) if (fn) targets.push([js, fn]);
  for (const op of kassa.operations()) targets.push([`call("${op}")`, (r) => kassa.call(op, r)]);
  targets.push(['call(<unknown op>)', (r) => kassa.call('no.such_op', r)]);
  targets.push(['callJson', (r) => kassa.callJson('pricing.price_cart', r)]);
  targets.push(['callJson(<unknown op>)', (r) => kassa.callJson('nope', '{}')]);

  const attempt = (label, fn, value, mustThrow) => {
    calls++;
    let threw = null;
    try {
      fn(value);
    } catch (e) {
      threw = e;
    }
    if (threw === null) {
      if (mustThrow) failures.push(`${label}: accepted ${mustThrow}`);
    } else if (!isKassaError(threw)) {
      failures.push(`${label}: threw ${describe(threw)} instead of a KassaError`);
    }
    if (!sanity(kassa)) failures.push(`${label}: the module answers wrongly afterwards`);
  };

  for (const [label, fn] of targets) {
    for (const [what, value] of refusedEverywhere()) attempt(`${label} <- ${what}`, fn, value, what);
    for (const [what, value] of maybeAccepted()) attempt(`${label} <- ${what}`, fn, value, null);
  }
  for (const [what, value] of hostilePricing()) {
    attempt(`priceCart <- ${what}`, (r) => kassa.priceCart(r), value, null);
  }
  // wrong-typed operation names on the generic entry points
  for (const op of [undefined, null, 42, {}, Symbol('op')]) {
    calls++;
    try {
      kassa.call(op, {});
      failures.push(`call(${String(op)}): accepted a non-string operation`);
    } catch (e) {
      if (!isKassaError(e) || e.code !== 'VALIDATION_ERROR') failures.push(`call(${String(op)}): threw ${describe(e)}`);
    }
    calls++;
    try {
      kassa.callJson(op, op);
      failures.push(`callJson(${String(op)}): accepted a non-string operation`);
    } catch (e) {
      if (!isKassaError(e) || e.code !== 'VALIDATION_ERROR') failures.push(`call(${String(op)}): threw ${describe(e)}`);
    }
    if (!sanity(kassa)) failures.push(`call(${String(op)}): the module answers wrongly afterwards`);
  }
  return { calls, failures };
}
