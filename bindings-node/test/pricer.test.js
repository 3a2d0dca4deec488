'use strict'
// kassa.pricing.Pricer / PricingCart / PricedCart (pricer.js, src/pricer.rs): every pricing
// vector through a Pricer with a plain cart, with a cart handle and with JSON text gives
// exactly what kassa.pricing.priceCart / callJson give (or the same error); the lazy getters
// agree with toJSON(); the cart handle's changes; garbage in is a typed error and the objects
// keep working.
const test = require('node:test')
const assert = require('node:assert/strict')
const fc = require('fast-check')
const kassa = require('..')
const { loadVectors } = require('./helpers')

const { Pricer, PricingCart, PricedCart, PricedLine } = kassa.pricing
const RUNS = Number(process.env.KASSA_FC_RUNS || 60)
const vectors = loadVectors().filter((v) => v.operation === 'pricing.price_cart')

const CART_FIELDS = ['lines', 'couponCodes', 'shippingMethod', 'context']
/** A `pricing.price_cart` request split into the Pricer's rules and the cart. */
function split(input) {
  const rules = {}
  const cart = {}
  for (const [k, v] of Object.entries(input)) (CART_FIELDS.includes(k) ? cart : rules)[k] = v
  return { rules, cart }
}

function outcome(run) {
  try {
    return { ok: run() }
  } catch (e) {
    return { err: e }
  }
}

function sameError(name, got, want) {
  assert.ok(got.err, `${name}: expected ${want.code}, got a result`)
  assert.ok(kassa.isKassaError(got.err), `${name}: not a Kassa error: ${got.err && got.err.stack}`)
  assert.equal(got.err.code, want.code, `${name}: ${got.err.message}`)
  assert.equal(got.err.constructor, want.constructor, name)
  assert.deepEqual(got.err.details, want.details, name)
}

const money = (amount, currency) => ({ amount, currency })

/** Every getter of a PricedCart agrees with its toJSON(). */
function gettersAgree(name, priced, json) {
  const c = json.currency
  assert.equal(priced.currency, c, name)
  for (const t of ['subtotal', 'discountTotal', 'shippingTotal', 'taxTotal', 'taxIncluded', 'taxAdded', 'totalExcludingTax', 'grandTotal']) {
    assert.deepStrictEqual(priced[t], json.totals[t], `${name} ${t}`)
  }
  assert.deepStrictEqual(priced.totals, json.totals, name)
  assert.deepStrictEqual(priced.shipping, json.shipping, name)
  assert.deepStrictEqual(priced.taxes, json.taxes, name)
  assert.deepStrictEqual(priced.appliedPromotions, json.appliedPromotions, name)
  assert.deepStrictEqual(priced.rejectedPromotions, json.rejectedPromotions, name)
  assert.deepStrictEqual(priced.coupons, json.coupons, name)
  assert.equal(priced.lineCount, json.lines.length, name)
  const lines = priced.lines
  assert.equal(lines.length, json.lines.length)
  json.lines.forEach((want, i) => {
    for (const line of [priced.line(i), lines[i]]) {
      assert.ok(line instanceof PricedLine)
      assert.equal(line.index, i)
      assert.equal(line.lineId, want.lineId, name)
      assert.equal(line.quantity, want.quantity, name)
      for (const f of ['unitPrice', 'subtotal', 'discountTotal', 'net', 'tax', 'total']) {
        assert.deepStrictEqual(line[f], want[f], `${name} lines[${i}].${f}`)
        assert.equal(line[f].currency, c)
      }
      assert.equal(line.taxInclusive, want.taxInclusive, name)
      assert.equal(line.taxRate, want.taxRate, name)
      assert.deepStrictEqual(line.discounts, want.discounts, name)
      assert.deepStrictEqual(line.toJSON(), want, name)
    }
  })
  assert.equal(priced.line(json.lines.length), undefined)
  assert.equal(priced.line(-1), undefined)
  assert.deepStrictEqual(JSON.parse(JSON.stringify(priced)), json, name)
}

test('there are pricing vectors, with results and with errors', () => {
  assert.ok(vectors.length >= 100, `only ${vectors.length}`)
  assert.ok(vectors.some((v) => v.expectedError))
})

test('every pricing vector: Pricer with a plain cart, a cart handle and JSON text = priceCart / callJson', () => {
  for (const v of vectors) {
    const { rules, cart } = split(v.input)
    const reference = outcome(() => kassa.pricing.priceCart(v.input))
    const referenceText = outcome(() => kassa.callJson('pricing.price_cart', JSON.stringify(v.input)))
    const paths = {
      'plain object': () => new Pricer(rules).price(cart),
      'cart handle': () => new Pricer(rules).price(new PricingCart(cart)),
      'JSON text': () => new Pricer(JSON.stringify(rules)).price(JSON.stringify(cart)),
      'handle from JSON text': () => new Pricer(rules).price(new PricingCart(JSON.stringify(cart))),
    }
    for (const [how, run] of Object.entries(paths)) {
      const name = `${v.name} (${how})`
      const got = outcome(run)
      if (v.expectedError) {
        assert.ok(reference.err, v.name)
        sameError(name, got, reference.err)
        assert.ok(got.err.details.some((d) => d.field === v.expectedError.field), `${name}: ${JSON.stringify(got.err.details)}`)
      } else {
        assert.ok(!got.err, `${name}: ${got.err && got.err.stack}`)
        assert.ok(got.ok instanceof PricedCart)
        assert.deepStrictEqual(got.ok.toJSON(), reference.ok, name)
        assert.deepStrictEqual(got.ok.toJSON(), v.expected, name)
        assert.equal(got.ok.toJSONString(), referenceText.ok, name)
      }
    }
  }
})

test('every priced vector: the lazy getters agree with toJSON()', () => {
  for (const v of vectors.filter((x) => x.expected)) {
    const { rules, cart } = split(v.input)
    const priced = new Pricer(rules).price(new PricingCart(cart))
    gettersAgree(v.name, priced, v.expected)
    // the same result read in another order (columns converted on first use)
    const again = new Pricer(rules).price(cart)
    const last = v.expected.lines.length - 1
    if (last >= 0) assert.deepStrictEqual(again.line(last).tax, v.expected.lines[last].tax)
    assert.deepStrictEqual(again.grandTotal, v.expected.totals.grandTotal)
  }
})

test('one Pricer prices many carts; rules are kept as given', () => {
  const v = vectors.find((x) => x.name.endsWith('pricing/amount_off_across.json')) || vectors.find((x) => x.expected)
  const { rules, cart } = split(v.input)
  const pricer = new Pricer(rules)
  for (let i = 0; i < 3; i++) assert.deepStrictEqual(pricer.price(cart).toJSON(), v.expected)
  const back = pricer.rules
  assert.deepStrictEqual(new Pricer(back).price(cart).toJSON(), v.expected)
  for (const k of ['promotions', 'coupons', 'taxRules', 'shippingRates', 'rounding', 'stacking']) assert.ok(k in back, k)
  assert.deepStrictEqual(new Pricer().rules.promotions, [])
})

// ---- the cart handle ----

const CONTEXT = { region: 'DE', currency: 'EUR', now: '2026-03-15T12:00:00Z' }
const line = (id, amount, quantity = 1, extra = {}) => ({ lineId: id, sku: `SKU-${id}`, productId: `p-${id}`, quantity, unitPrice: money(amount, 'EUR'), ...extra })
const RULES = {
  promotions: [
    { id: 'ten', target: { type: 'order' }, action: { type: 'percent_off', percent: '10' } },
    { id: 'SAVE5', target: { type: 'order' }, action: { type: 'amount_off', amount: money('5.00', 'EUR') }, conditions: { couponRequired: true } },
  ],
  coupons: [{ code: 'SAVE5', promotionId: 'SAVE5' }],
  taxRules: [{ id: 'de', region: 'DE', taxClass: 'standard', rate: '0.19' }],
  shippingRates: [
    { id: 'std', regions: ['DE'], calculation: { type: 'flat', price: money('4.90', 'EUR') } },
    { id: 'express', regions: ['DE'], calculation: { type: 'flat', price: money('9.90', 'EUR') } },
  ],
}
/** The reference: the whole request through priceCart. */
const reference = (cart) => kassa.pricing.priceCart({ ...RULES, ...cart })

test('cart handle: every change prices like the equivalent plain cart', () => {
  const pricer = new Pricer(RULES)
  let plain = { lines: [line('a', '10.00', 2), line('b', '3.99')], context: CONTEXT }
  const cart = new PricingCart(plain)
  const same = () => {
    assert.deepStrictEqual(pricer.price(cart).toJSON(), reference(plain))
    assert.deepStrictEqual(cart.toJSON(), new PricingCart(plain).toJSON())
  }
  same()
  assert.equal(cart.lineCount, 2)
  assert.deepEqual(cart.lineIds(), ['a', 'b'])

  // add a line
  cart.setLine(line('c', '1.25', 3))
  plain = { ...plain, lines: [...plain.lines, line('c', '1.25', 3)] }
  same()
  // replace a line in place (same id)
  assert.equal(cart.setLine(line('a', '11.00', 1, { taxClass: 'reduced' })), cart)
  plain = { ...plain, lines: [line('a', '11.00', 1, { taxClass: 'reduced' }), ...plain.lines.slice(1)] }
  same()
  assert.deepEqual(cart.lineIds(), ['a', 'b', 'c'])
  // quantity
  cart.setQuantity('b', 5)
  plain = { ...plain, lines: plain.lines.map((l) => (l.lineId === 'b' ? { ...l, quantity: 5 } : l)) }
  same()
  assert.equal(cart.line('b').quantity, 5)
  assert.equal(cart.line('nope'), undefined)
  // remove
  cart.removeLine('a')
  plain = { ...plain, lines: plain.lines.filter((l) => l.lineId !== 'a') }
  same()
  // coupons, shipping method, context
  cart.setCouponCodes(['save5'])
  plain = { ...plain, couponCodes: ['save5'] }
  same()
  assert.equal(pricer.price(cart).appliedPromotions.some((p) => p.promotionId === 'SAVE5'), true)
  cart.setShippingMethod('express')
  plain = { ...plain, shippingMethod: 'express' }
  same()
  assert.equal(pricer.price(cart).shipping.rateId, 'express')
  cart.setShippingMethod(null)
  delete plain.shippingMethod
  same()
  assert.equal(pricer.price(cart).shipping.rateId, 'std')
  cart.setContext({ ...CONTEXT, customerId: 'alice', firstOrder: true })
  plain = { ...plain, context: { ...CONTEXT, customerId: 'alice', firstOrder: true } }
  same()
  // chaining
  cart.setQuantity('b', 1).setQuantity('c', 1).setCouponCodes([])
  plain = { ...plain, couponCodes: [], lines: plain.lines.map((l) => ({ ...l, quantity: 1 })) }
  same()
  // remove every line: an empty cart prices
  cart.removeLine('b').removeLine('c')
  plain = { ...plain, lines: [] }
  same()
  assert.equal(cart.lineCount, 0)
})

test('cart handle: copy() is independent; JSON text round trip', () => {
  const cart = new PricingCart({ lines: [line('a', '10.00')], context: CONTEXT })
  const copy = cart.copy()
  assert.ok(copy instanceof PricingCart)
  copy.setQuantity('a', 7)
  assert.equal(cart.line('a').quantity, 1)
  assert.equal(copy.line('a').quantity, 7)
  const text = cart.toJSONString()
  assert.deepStrictEqual(new PricingCart(text).toJSON(), cart.toJSON())
  assert.deepStrictEqual(JSON.parse(JSON.stringify(cart)), cart.toJSON())
  // defaults filled in, as the core reads them
  assert.equal(cart.toJSON().lines[0].taxClass, 'standard')
})

test('cart handle: errors are typed and leave the cart unchanged', () => {
  const pricer = new Pricer(RULES)
  const cart = new PricingCart({ lines: [line('a', '10.00', 2)], context: CONTEXT })
  const before = cart.toJSONString()
  const expected = pricer.price(cart).toJSON()
  const cases = [
    [() => cart.setQuantity('nope', 2), kassa.NotFoundError, null],
    [() => cart.removeLine('nope'), kassa.NotFoundError, null],
    [() => cart.setQuantity('a', -1), kassa.ValidationError, 'quantity'],
    [() => cart.setQuantity('a', 1.5), kassa.KassaTypeError, 'quantity'],
    [() => cart.setQuantity('a', '3'), kassa.ValidationError, 'quantity'],
    [() => cart.setQuantity('a', 2 ** 32), kassa.ValidationError, 'quantity'],
    [() => cart.setQuantity('a'), kassa.ValidationError, 'input'],
    [() => cart.setQuantity(7, 1), kassa.KassaTypeError, 'lineId'],
    [() => cart.setLine({ ...line('a', '1.00'), unitPrice: money('1.0.0', 'EUR') }), kassa.ValidationError, 'line.unitPrice'],
    [() => cart.setLine({ ...line('a', '1.00'), unitPrice: { amount: 1, currency: 'EUR' } }), kassa.KassaTypeError, 'line.unitPrice.amount'],
    [() => cart.setLine({ ...line('a', '1.00'), unitPrice: money('1.00', 'XXQ') }), kassa.ValidationError, 'line.unitPrice.currency'],
    [() => cart.setLine(null), kassa.ValidationError, 'line'],
    [() => cart.setLine({ lineId: 'z' }), kassa.ValidationError, 'line'],
    [() => cart.setCouponCodes('SAVE5'), kassa.ValidationError, 'couponCodes'],
    [() => cart.setCouponCodes([1]), kassa.KassaTypeError, 'couponCodes[0]'],
    [() => cart.setShippingMethod(42), kassa.KassaTypeError, 'shippingMethod'],
    [() => cart.setContext({ ...CONTEXT, now: 'yesterday' }), kassa.ValidationError, 'context.now'],
    [() => cart.setContext({ ...CONTEXT, currency: 'euro' }), kassa.ValidationError, 'context.currency'],
    [() => cart.setContext(undefined), kassa.ValidationError, 'input'],
    [() => cart.setLine({ ...line('a', '1.00'), extra: 10n }), kassa.KassaTypeError, 'input'],
    [() => cart.line(3), kassa.KassaTypeError, 'lineId'],
  ]
  for (const [run, Cls, field] of cases) {
    assert.throws(run, (e) => {
      assert.ok(e instanceof Cls, `${run}: ${e && e.stack}`)
      assert.ok(kassa.isKassaError(e))
      if (field) assert.ok(e.details.some((d) => d.field === field), `${run}: ${JSON.stringify(e.details)}`)
      if (Cls === kassa.NotFoundError) assert.equal(e.httpStatus, 404)
      return true
    })
    assert.equal(cart.toJSONString(), before, `${run} changed the cart`)
    assert.deepStrictEqual(pricer.price(cart).toJSON(), expected)
  }
})

test('pricing rules are checked when the cart is priced, naming the line; the cart keeps working', () => {
  const pricer = new Pricer(RULES)
  const cart = new PricingCart({ lines: [line('a', '10.00'), line('b', '2.00')], context: CONTEXT })
  const good = pricer.price(cart).toJSON()
  cart.setQuantity('b', 0)
  assert.throws(() => pricer.price(cart), (e) => e instanceof kassa.ValidationError && e.details.some((d) => d.field === 'lines[1].quantity'))
  cart.setLine({ ...line('c', '1.00'), unitPrice: money('1.00', 'USD') })
  assert.throws(() => pricer.price(cart), (e) => e instanceof kassa.ValidationError && e.details.some((d) => d.field === 'lines[2].unitPrice.currency'))
  cart.removeLine('c').setQuantity('b', 1)
  assert.deepStrictEqual(pricer.price(cart).toJSON(), good)
  cart.setLine(line('a', '10.00')).setLine({ ...line('d', '1.00'), lineId: 'a' })
  assert.equal(cart.lineCount, 2)
})

test('Pricer: bad rules and bad carts are typed errors with the request field paths', () => {
  assert.throws(() => new Pricer({ taxRules: [{ id: 'x', region: 'DE', taxClass: 'standard', rate: 0.19 }] }), (e) => e instanceof kassa.KassaTypeError && e.details[0].field === 'taxRules[0].rate')
  assert.throws(() => new Pricer({ promotions: 'all' }), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'promotions')
  assert.throws(() => new Pricer('{nope'), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'input')
  assert.throws(() => new Pricer(null), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'input')
  const pricer = new Pricer(RULES)
  assert.throws(() => pricer.price({ lines: [{ ...line('a', '1'), unitPrice: { amount: 1.5, currency: 'EUR' } }], context: CONTEXT }), (e) => e instanceof kassa.KassaTypeError && e.details[0].field === 'lines[0].unitPrice.amount')
  assert.throws(() => pricer.price({ lines: [] }), (e) => e instanceof kassa.ValidationError && /context/.test(e.message))
  assert.throws(() => pricer.price(undefined), kassa.ValidationError)
  assert.throws(() => pricer.price(42), kassa.ValidationError)
  assert.throws(() => pricer.price('{"lines": ['), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'input')
  assert.throws(() => new PricingCart({ lines: 'x', context: CONTEXT }), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'lines')
  assert.throws(() => new PricingCart(), kassa.ValidationError)
  const cyclic = { lines: [], context: CONTEXT }
  cyclic.self = cyclic
  assert.throws(() => pricer.price(cyclic), kassa.KassaTypeError)
  // the pricer still works
  assert.equal(pricer.price({ lines: [line('a', '10.00')], context: CONTEXT }).grandTotal.amount, reference({ lines: [line('a', '10.00')], context: CONTEXT }).totals.grandTotal.amount)
})

test('PricedCart / PricedLine: only from Pricer.price; bad indexes', () => {
  assert.throws(() => new PricedCart(), TypeError)
  assert.throws(() => new PricedLine(), TypeError)
  const priced = new Pricer(RULES).price({ lines: [line('a', '10.00')], context: CONTEXT })
  assert.ok(priced.line(0) instanceof PricedLine)
  assert.equal(priced.line(1), undefined)
  for (const bad of [0.5, '0', null, undefined, NaN]) assert.throws(() => priced.line(bad), kassa.KassaTypeError)
  assert.deepStrictEqual(Object.keys(priced), [])
  // every amount is a fresh object: changing one does not change the result
  const g = priced.grandTotal
  g.amount = '0'
  assert.notEqual(priced.grandTotal.amount, '0')
})

test('the classes are in the pricing namespace, which stays frozen', () => {
  assert.equal(typeof kassa.pricing.priceCart, 'function')
  for (const C of [Pricer, PricingCart, PricedCart, PricedLine]) assert.equal(typeof C, 'function')
  assert.ok(Object.isFrozen(kassa.pricing))
})

// ---- garbage in: typed errors, objects keep working ----

const leafOrTree = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.constantFrom(undefined, null, NaN, Infinity, -0, 1.5, -1, 2 ** 40, '', '1.0.0', '1e3', 'EUR', 'eur', [], {}, 10n),
)

function typedOrOk(run) {
  try {
    return run()
  } catch (e) {
    if (!kassa.isKassaError(e)) throw new Error(`untyped error: ${e && e.stack}`)
    assert.ok(!/panic/.test(e.message), e.message)
    assert.ok(e.httpStatus >= 400 && Array.isArray(e.details))
    return undefined
  }
}

// Replaces the leaf at a random path of `value` with `leaf`.
function leaves(value, path = [], out = []) {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) leaves(v, [...path, Array.isArray(value) ? Number(k) : k], out)
  }
  out.push(path)
  return out
}
function replaceAt(value, path, leaf) {
  if (!path.length) return leaf
  const copy = Array.isArray(value) ? [...value] : { ...value }
  copy[path[0]] = replaceAt(value[path[0]], path.slice(1), leaf)
  return copy
}

test('fast-check: arbitrary rules, carts and changes give results or typed errors; the objects keep working', () => {
  const pricer = new Pricer(RULES)
  const base = { lines: [line('a', '10.00', 2), line('b', '3.99')], couponCodes: ['SAVE5'], context: CONTEXT }
  const cart = new PricingCart(base)
  const expected = pricer.price(cart).toJSON()
  const ruleLeaves = leaves(RULES)
  const cartLeaves = leaves(base)
  const lineLeaves = leaves(line('z', '1.00'))
  fc.assert(
    fc.property(
      fc.nat(), fc.nat(), fc.nat(), leafOrTree, leafOrTree, leafOrTree,
      (i, j, k, x, y, z) => {
        // rules and carts with one leaf replaced, and wholly arbitrary values
        const rules = replaceAt(RULES, ruleLeaves[i % ruleLeaves.length], x)
        const p = typedOrOk(() => new Pricer(rules))
        if (p) typedOrOk(() => p.price(base))
        typedOrOk(() => new Pricer(x))
        const plain = replaceAt(base, cartLeaves[j % cartLeaves.length], y)
        typedOrOk(() => pricer.price(plain))
        typedOrOk(() => pricer.price(y))
        const handle = typedOrOk(() => new PricingCart(plain))
        if (handle) {
          const priced = typedOrOk(() => pricer.price(handle))
          if (priced) gettersAgree('fc', priced, priced.toJSON())
        }
        // changes on a copy of the working cart
        const c = cart.copy()
        const bad = replaceAt(line('z', '1.00'), lineLeaves[k % lineLeaves.length], z)
        typedOrOk(() => c.setLine(bad))
        typedOrOk(() => c.setLine(z))
        typedOrOk(() => c.setQuantity(y, z))
        typedOrOk(() => c.setQuantity('a', z))
        typedOrOk(() => c.removeLine(z))
        typedOrOk(() => c.setCouponCodes(z))
        typedOrOk(() => c.setShippingMethod(z))
        typedOrOk(() => c.setContext(z))
        typedOrOk(() => pricer.price(c))
        // the originals are untouched and still work
        assert.deepStrictEqual(pricer.price(cart).toJSON(), expected)
      },
    ),
    { numRuns: RUNS * 5 },
  )
})
