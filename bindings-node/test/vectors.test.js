'use strict'
// Every cross-host vector through the generic `call` and through the typed export of its
// operation: identical JSON results (money strings to the digit), expected errors by code
// (and field when given).
const test = require('node:test')
const assert = require('node:assert/strict')
const kassa = require('..')
const { loadVectors } = require('./helpers')

const vectors = loadVectors()
const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

function check(v, run) {
  let got
  try {
    got = { ok: run() }
  } catch (e) {
    got = { err: e }
  }
  if (v.expectedError) {
    assert.ok(got.err, `${v.name}: expected ${v.expectedError.code}, got ${JSON.stringify(got.ok)}`)
    assert.ok(kassa.isKassaError(got.err), `${v.name}: not a Kassa error: ${got.err}`)
    assert.equal(got.err.code, v.expectedError.code, `${v.name}: ${got.err.message}`)
    assert.equal(got.err.httpStatus, kassa.errorCodes().find((c) => c.code === v.expectedError.code).httpStatus)
    if (v.expectedError.field) {
      assert.ok(
        got.err.details.some((d) => d.field === v.expectedError.field),
        `${v.name}: no detail on ${v.expectedError.field}: ${JSON.stringify(got.err.details)}`,
      )
    }
  } else {
    assert.ok(!got.err, `${v.name}: unexpected error ${got.err && got.err.stack}`)
    assert.deepStrictEqual(got.ok, v.expected, v.name)
  }
}

test('there are vectors for every area', () => {
  assert.ok(vectors.length >= 250, `only ${vectors.length} vectors`)
  const areas = new Set(vectors.map((v) => v.name.split('/')[0]))
  for (const a of ['money', 'catalog', 'cart', 'pricing', 'order', 'inventory', 'supply', 'forecast', 'access', 'identity', 'ratelimit', 'optimize']) {
    assert.ok(areas.has(a), `no vectors for ${a}`)
  }
})

test('every vector through the generic call', () => {
  for (const v of vectors) check(v, () => kassa.call(v.operation, v.input))
})

test('every vector through its typed export', () => {
  for (const v of vectors) {
    const [ns, name] = kassa.typedName(v.operation)
    const fn = kassa[ns][name]
    assert.equal(typeof fn, 'function', v.operation)
    check(v, () => fn(v.input))
  }
})

test('every vector through callJson (JSON text in and out)', () => {
  for (const v of vectors) {
    check(v, () => JSON.parse(kassa.callJson(v.operation, JSON.stringify(v.input))))
  }
})
