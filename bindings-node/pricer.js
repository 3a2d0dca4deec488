'use strict'
// kassa.pricing.Pricer, PricingCart, PricedCart: pricing with the rules and the cart held on
// the Rust side (src/pricer.rs), and a result converted only where it is read. This layer only
// encodes arguments, decodes errors and wraps the native handles: no pricing logic.

const { _internal, KassaTypeError } = require('./index.js')

const { native, fromNative, encode } = _internal
const { NativePricer, NativePricingCart } = native

/** The native handle of a wrapper (a symbol key: not listed by Object.keys, not serialized). */
const NATIVE = Symbol('kassa.native')
/** A `PricedCart`'s converted line columns, currency code and line count, kept once read. */
const COLUMNS = Symbol('kassa.columns')
const CURRENCY = Symbol('kassa.currency')
const COUNT = Symbol('kassa.count')
/** Only this module constructs `PricedCart` / `PricedLine`. */
const INTERNAL = Symbol('kassa.internal')

function typeError(field, message) {
  return new KassaTypeError(`${field}: ${message}`, { details: [{ field, message }] })
}

function hold(target, handle) {
  target[NATIVE] = handle
}

/** Runs `fn(text)` on the JSON text of `value` (a JS value, or JSON text when allowed). */
function withText(value, fn, allowText) {
  if (allowText && typeof value === 'string') {
    try {
      return fn(value)
    } catch (e) {
      throw fromNative(e)
    }
  }
  const text = encode(value)
  try {
    return fn(text)
  } catch (e) {
    throw fromNative(e, value)
  }
}

/**
 * The pricing rules (promotions, coupons, taxRules, shippingRates, rounding, stacking),
 * decoded once and kept on the Rust side; `price(cart)` prices each cart against them.
 */
class Pricer {
  /** `rules`: a `PricingRules` object or its JSON text. */
  constructor(rules = {}) {
    hold(this, withText(rules, (text) => new NativePricer(text), true))
  }

  /**
   * Prices a cart: a `PricingCart` handle (nothing converted), a plain `PricingCart` object
   * (`{ lines, couponCodes, shippingMethod, context }`) or its JSON text. Returns a
   * `PricedCart` whose fields are converted when read.
   */
  price(cart) {
    const pricer = this[NATIVE]
    let out
    if (cart instanceof PricingCart) {
      try {
        out = pricer.price(cart[NATIVE])
      } catch (e) {
        throw fromNative(e)
      }
    } else {
      out = withText(cart, (text) => pricer.priceJson(text), true)
    }
    return new PricedCart(INTERNAL, out)
  }

  /** The rules, as a plain object (defaults filled in). */
  get rules() {
    return JSON.parse(this[NATIVE].rulesJson())
  }
}

/**
 * A cart kept on the Rust side between requests, changed by whole operations. Changes check
 * the shape of their arguments (types, decimal strings, currency codes) and leave the cart
 * unchanged when they fail; the pricing rules (quantity at least 1, one currency) are checked
 * by `Pricer.price`, naming the line.
 */
class PricingCart {
  /** `cart`: a `PricingCart` object (`{ lines, couponCodes, shippingMethod, context }`) or its JSON text. */
  constructor(cart) {
    if (cart === INTERNAL) return // copy(): the handle is set by the caller
    hold(this, withText(cart, (text) => new NativePricingCart(text), true))
  }

  /** Adds `line`, or replaces the line with the same `lineId` in place. */
  setLine(line) {
    withText({ line }, (text) => this[NATIVE].setLine(text))
    return this
  }

  /** Sets the quantity of the line `lineId` (`NotFoundError` when there is none). */
  setQuantity(lineId, quantity) {
    withText({ lineId, quantity }, (text) => this[NATIVE].setQuantity(text))
    return this
  }

  /** Removes the line `lineId` (`NotFoundError` when there is none). */
  removeLine(lineId) {
    withText({ lineId }, (text) => this[NATIVE].removeLine(text))
    return this
  }

  /** Replaces the entered coupon codes. */
  setCouponCodes(couponCodes) {
    withText({ couponCodes }, (text) => this[NATIVE].setCouponCodes(text))
    return this
  }

  /** Chooses a shipping rate by id; `null` or `undefined`: the cheapest available rate. */
  setShippingMethod(shippingMethod) {
    withText({ shippingMethod: shippingMethod === undefined ? null : shippingMethod }, (text) => this[NATIVE].setShippingMethod(text))
    return this
  }

  /** Replaces the context (`{ region, currency, now, customerId?, customerGroups?, firstOrder? }`). */
  setContext(context) {
    withText({ context }, (text) => this[NATIVE].setContext(text))
    return this
  }

  /** How many lines the cart has. */
  get lineCount() {
    return this[NATIVE].lineCount
  }

  /** The line ids, in order. */
  lineIds() {
    return this[NATIVE].lineIds()
  }

  /** The line `lineId` as a plain object, or `undefined`. */
  line(lineId) {
    if (typeof lineId !== 'string') throw typeError('lineId', 'expected a string')
    const line = JSON.parse(this[NATIVE].lineJson(lineId))
    return line === null ? undefined : line
  }

  /** An independent copy (changes to one do not show in the other). */
  copy() {
    const c = new PricingCart(INTERNAL)
    hold(c, this[NATIVE].copy())
    return c
  }

  /** The cart as a plain object (defaults filled in). */
  toJSON() {
    return JSON.parse(this[NATIVE].toJSONString())
  }

  /** The cart as JSON text. */
  toJSONString() {
    return this[NATIVE].toJSONString()
  }
}

function checkIndex(index, count) {
  if (!Number.isInteger(index)) throw typeError('index', 'expected an integer')
  return index >= 0 && index < count
}

/** Money fields of a priced line, read a column (every line) at a time. */
const LINE_AMOUNTS = ['unitPrice', 'subtotal', 'discountTotal', 'net', 'tax', 'total']

/**
 * One line of a `PricedCart`. Its fields are converted from the Rust result when first read:
 * reading `net` of one line converts `net` of every line (one native call), so reading a
 * field of each line in turn costs one conversion, not one per line.
 */
class PricedLine {
  /** @private lines come from `PricedCart.line(i)` / `PricedCart.lines`. */
  constructor(token, cart, index) {
    if (token !== INTERNAL) throw new TypeError('PricedLine is returned by PricedCart.line()')
    hold(this, cart)
    /** Position in the cart (0-based). */
    this.index = index
  }

  get lineId() { return this[NATIVE][NATIVE].lineId(this.index) }
  get quantity() { return Number(column(this[NATIVE], 'quantity')[this.index]) }
  get taxInclusive() { return this[NATIVE][NATIVE].lineTaxInclusive(this.index) }
  /** The tax rate as a decimal string fraction (`'0.19'`), `'0'` when untaxed. */
  get taxRate() { return column(this[NATIVE], 'taxRate')[this.index] }
  get discounts() { return JSON.parse(this[NATIVE][NATIVE].lineDiscountsJson(this.index)) }

  /** The line as a plain object: the element of `PricedCart.toJSON().lines`. */
  toJSON() {
    return JSON.parse(this[NATIVE][NATIVE].lineJson(this.index))
  }
}
for (const field of LINE_AMOUNTS) {
  Object.defineProperty(PricedLine.prototype, field, {
    get() {
      const cart = this[NATIVE]
      return { amount: column(cart, field)[this.index], currency: cart.currency }
    },
    configurable: true,
  })
}

/** A field of every line of `cart` (a `PricedCart`), converted once and kept. */
function column(cart, field) {
  const cols = cart[COLUMNS] || (cart[COLUMNS] = Object.create(null))
  return cols[field] || (cols[field] = cart[NATIVE].lineColumn(field).split(' '))
}


/** Totals, by their names in `totals`. */
const TOTALS = ['subtotal', 'discountTotal', 'shippingTotal', 'taxTotal', 'taxIncluded', 'taxAdded', 'totalExcludingTax', 'grandTotal']

/**
 * The result of `Pricer.price`: held on the Rust side and converted where it is read. A
 * total (`grandTotal`, `taxTotal`, …) is a fresh `{ amount, currency }` on each read;
 * `line(i)` / `lines` give lazy `PricedLine`s; `toJSON()` is exactly what
 * `kassa.pricing.priceCart` returns for the same rules and cart.
 */
class PricedCart {
  /** @private results come from `Pricer.price`. */
  constructor(token, handle) {
    if (token !== INTERNAL) throw new TypeError('PricedCart is returned by Pricer.price()')
    this[NATIVE] = handle
    this[CURRENCY] = undefined
    this[COLUMNS] = undefined
    this[COUNT] = -1
  }

  /** The cart's currency code: every amount of the result is in it. */
  get currency() {
    const c = this[CURRENCY]
    return c === undefined ? (this[CURRENCY] = this[NATIVE].currency) : c
  }

  /** All totals as one object (`toJSON().totals`). */
  get totals() { return JSON.parse(this[NATIVE].partJson('totals')) }
  /** The shipping (rate, price, discounts, total), or `null` when the cart does not ship. */
  get shipping() { return JSON.parse(this[NATIVE].partJson('shipping')) }
  /** Tax per tax rule. */
  get taxes() { return JSON.parse(this[NATIVE].partJson('taxes')) }
  /** Promotions that gave a discount, in the order they applied. */
  get appliedPromotions() { return JSON.parse(this[NATIVE].partJson('appliedPromotions')) }
  /** Promotions that did not apply, each with its reason. */
  get rejectedPromotions() { return JSON.parse(this[NATIVE].partJson('rejectedPromotions')) }
  /** The outcome of every entered coupon code. */
  get coupons() { return JSON.parse(this[NATIVE].partJson('coupons')) }

  /** How many lines (as many as the cart's, in the same order). */
  get lineCount() {
    const n = this[COUNT]
    return n < 0 ? (this[COUNT] = this[NATIVE].lineCount) : n
  }

  /** Line `index` (0-based) as a lazy `PricedLine`, or `undefined` past the end. */
  line(index) {
    return checkIndex(index, this.lineCount) ? new PricedLine(INTERNAL, this, index) : undefined
  }

  /** Every line as a lazy `PricedLine`. */
  get lines() {
    const n = this.lineCount
    const out = new Array(n)
    for (let i = 0; i < n; i++) out[i] = new PricedLine(INTERNAL, this, i)
    return out
  }

  /** The whole result as a plain object: what `kassa.pricing.priceCart` returns. */
  toJSON() {
    return JSON.parse(this[NATIVE].toJSONString())
  }

  /** The whole result as JSON text: what `kassa.callJson('pricing.price_cart', …)` returns. */
  toJSONString() {
    return this[NATIVE].toJSONString()
  }
}
for (const name of TOTALS) {
  Object.defineProperty(PricedCart.prototype, name, {
    get() {
      return { amount: this[NATIVE].totalAmount(name), currency: this.currency }
    },
    configurable: true,
  })
}

module.exports = { Pricer, PricingCart, PricedCart, PricedLine }
