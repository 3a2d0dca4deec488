'use strict'
// Typed errors: classes per code, httpStatus, details with field paths, TypeError for JS
// numbers where money is expected, panics as INTERNAL, never an abort.
const test = require('node:test')
const assert = require('node:assert/strict')
const kassa = require('..')

test('error classes per code, with the core HTTP statuses', () => {
  const codes = kassa.errorCodes()
  assert.equal(codes.length, 11)
  for (const { code, httpStatus } of codes) {
    const Cls = kassa.ERROR_CLASSES[code]
    assert.equal(typeof Cls, 'function', code)
    const e = new Cls('x', { code })
    assert.ok(e instanceof kassa.KassaError)
    assert.ok(e instanceof Error)
    assert.equal(e.httpStatus, httpStatus)
    assert.deepEqual(e.toEnvelope(), { success: false, error: { code, message: 'x', details: [] } })
  }
  assert.deepEqual(
    Object.fromEntries(codes.map((c) => [c.code, c.httpStatus])),
    { VALIDATION_ERROR: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, OUT_OF_STOCK: 409, PAYMENT_DECLINED: 422, RATE_LIMITED: 429, UNAVAILABLE: 503, INTERNAL: 500, UNSUPPORTED: 501 },
  )
})

test('unknown operation is NOT_FOUND', () => {
  assert.throws(() => kassa.call('nope.nothing', {}), (e) => e instanceof kassa.NotFoundError && e.code === 'NOT_FOUND' && e.httpStatus === 404 && e.meta.resource === 'operation')
})

test('a bad field is a ValidationError naming the JSON path', () => {
  const req = { amount: { amount: '10.00', currency: 'EUR' }, weights: ['1', 'x'] }
  assert.throws(() => kassa.money.allocate(req), (e) => {
    assert.ok(e instanceof kassa.ValidationError)
    assert.equal(e.code, 'VALIDATION_ERROR')
    assert.equal(e.httpStatus, 400)
    assert.ok(e.details.length >= 1 && typeof e.details[0].field === 'string')
    return true
  })
  assert.throws(() => kassa.money.round({ amount: { amount: '1.005', currency: 'EUR' }, mode: 'sideways' }), (e) => {
    assert.ok(e instanceof kassa.ValidationError)
    assert.deepEqual(e.details.map((d) => d.field), ['mode'])
    return true
  })
})

test('a JS number where money is expected is a TypeError (KassaTypeError)', () => {
  const cases = [
    () => kassa.money.round({ amount: { amount: 19.9, currency: 'EUR' }, mode: 'half_up' }),
    () => kassa.money.round({ amount: { amount: 20, currency: 'EUR' }, mode: 'half_up' }),
    () => kassa.money.allocate({ amount: { amount: '10.00', currency: 'EUR' }, weights: [1, 2] }),
    () => kassa.call('money.round', { amount: { amount: 0.1, currency: 'EUR' }, mode: 'half_even' }),
  ]
  for (const run of cases) {
    assert.throws(run, (e) => {
      assert.ok(e instanceof TypeError, String(e))
      assert.ok(e instanceof kassa.KassaTypeError)
      assert.ok(kassa.isKassaError(e))
      assert.equal(e.code, 'VALIDATION_ERROR')
      assert.equal(e.httpStatus, 400)
      assert.ok(e.details.length >= 1)
      return true
    })
  }
  // the same amount as a string works
  assert.deepEqual(kassa.money.round({ amount: { amount: '19.905', currency: 'EUR' }, mode: 'half_up' }), { amount: '19.91', currency: 'EUR' })
})

test('requests JSON cannot carry are TypeErrors, not crashes', () => {
  assert.throws(() => kassa.call('money.round', { amount: 10n }), kassa.KassaTypeError)
  const cyclic = {}
  cyclic.self = cyclic
  assert.throws(() => kassa.call('money.round', cyclic), kassa.KassaTypeError)
  assert.throws(() => kassa.call(42, {}), kassa.KassaTypeError)
  assert.throws(() => kassa.callJson('money.round', '{not json'), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'input')
  assert.throws(() => kassa.money.round(undefined), kassa.ValidationError)
})

test('a Rust panic is an InternalError, and the process lives on', () => {
  for (let i = 0; i < 3; i++) {
    assert.throws(() => kassa.__panicForTest('boom'), (e) => {
      assert.ok(e instanceof kassa.InternalError)
      assert.equal(e.code, 'INTERNAL')
      assert.equal(e.httpStatus, 500)
      assert.match(e.message, /panic in Kassa: boom/)
      return true
    })
  }
  // still working afterwards
  assert.deepEqual(kassa.money.round({ amount: { amount: '1.005', currency: 'EUR' }, mode: 'half_even' }), { amount: '1.00', currency: 'EUR' })
})

test('operations() lists exactly the typed namespaces', () => {
  const ops = kassa.operations()
  assert.ok(ops.length >= 41)
  const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
  for (const op of ops) {
    const [ns, name] = kassa.typedName(op)
    assert.equal(typeof kassa[ns][name], 'function', op)
  }
  const table = require('../types/operations.json')
  assert.deepEqual(table.map((t) => t.op), ops, 'types/operations.json is stale: run node scripts/gen-types.js')
})
