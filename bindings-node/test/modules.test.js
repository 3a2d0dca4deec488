'use strict'
// Every module through its typed exports, with invariants checked in JS (big.js sums) on top
// of the vectors: the binding returns real domain results, not echoes.
const test = require('node:test')
const assert = require('node:assert/strict')
const Big = require('big.js')
const kassa = require('..')
const { loadVectors } = require('./helpers')

const vectors = loadVectors()
const ok = (op) => vectors.filter((v) => v.operation === op && v.expected !== undefined)
const sum = (monies) => monies.reduce((s, m) => s.plus(m.amount), new Big(0))

test('money: allocate splits exactly, round rounds to the minor unit', () => {
  const parts = kassa.money.allocate({ amount: { amount: '100.00', currency: 'EUR' }, weights: ['1', '1', '1'] })
  assert.deepEqual(parts.map((p) => p.amount), ['33.34', '33.33', '33.33'])
  for (const v of ok('money.allocate')) {
    const got = kassa.money.allocate(v.input)
    assert.equal(sum(got).toString(), new Big(v.input.amount.amount).toString(), v.name)
    assert.equal(got.length, v.input.weights.length)
  }
  assert.deepEqual(kassa.money.round({ amount: { amount: '2.345', currency: 'USD' }, mode: 'half_even' }), { amount: '2.34', currency: 'USD' })
  assert.deepEqual(kassa.money.round({ amount: { amount: '1.2345', currency: 'KWD' }, mode: 'half_up' }), { amount: '1.235', currency: 'KWD' })
})

test('pricing: totals add up for every priced vector', () => {
  const cases = ok('pricing.price_cart')
  assert.ok(cases.length > 50)
  for (const v of cases) {
    const r = kassa.pricing.priceCart(v.input)
    assert.deepEqual(r, v.expected, v.name)
    const t = r.totals
    assert.equal(sum(r.lines.map((l) => l.subtotal)).toString(), new Big(t.subtotal.amount).toString(), `${v.name} subtotal`)
    assert.equal(sum(r.taxes.map((x) => x.tax)).toString(), new Big(t.taxTotal.amount).toString(), `${v.name} tax`)
    assert.equal(
      new Big(t.totalExcludingTax.amount).plus(t.taxTotal.amount).toString(),
      new Big(t.grandTotal.amount).toString(),
      `${v.name} grand total`,
    )
    for (const l of r.lines) assert.equal(typeof l.total.amount, 'string')
  }
})

function runArea(area) {
  const cases = vectors.filter((v) => v.operation.startsWith(`${area}.`))
  assert.ok(cases.length > 0, `no vectors for ${area}`)
  const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())
  let results = 0
  let errors = 0
  for (const v of cases) {
    const fn = kassa[area][kassa.typedName(v.operation)[1]]
    if (v.expected !== undefined) {
      assert.deepEqual(fn(v.input), v.expected, v.name)
      results++
    } else {
      assert.throws(() => fn(v.input), (e) => kassa.isKassaError(e) && e.code === v.expectedError.code, v.name)
      errors++
    }
  }
  return { results, errors }
}

for (const area of ['catalog', 'cart', 'order', 'payment', 'inventory', 'supply', 'forecast', 'access', 'identity', 'ratelimit', 'optimize']) {
  test(`${area}: typed exports reproduce the vectors`, (t) => {
    if (!vectors.some((v) => v.operation.startsWith(`${area}.`))) {
      // payment vectors live under order/; the exports are still checked by the property test
      t.skip(`no ${area} vectors`)
      return
    }
    const { results } = runArea(area)
    assert.ok(results > 0, `${area}: no successful case`)
  })
}

test('catalog: query pages and validates', () => {
  const v = ok('catalog.query')[0]
  const page = kassa.catalog.query(v.input)
  assert.ok(Array.isArray(page.items))
  assert.ok(page.items.length <= page.pagination.pageSize)
  assert.equal(typeof page.pagination.total, 'number')
})

test('identity: normalize email is idempotent', () => {
  const once = kassa.identity.normalizeEmail({ email: '  Alice@Example.COM ' })
  assert.equal(once, 'alice@example.com')
  assert.equal(kassa.identity.normalizeEmail({ email: once }), once)
})

test('inventory: gtin validation accepts a valid EAN-13 and refuses a bad check digit', () => {
  const good = kassa.inventory.gtin('4006381333931')
  assert.ok(good)
  assert.throws(() => kassa.inventory.gtin('4006381333932'), kassa.ValidationError)
})
