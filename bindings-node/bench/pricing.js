#!/usr/bin/env node
'use strict'
// Pricing a 20-line cart: the Kassa binding vs a plain JS implementation of the same rules on
// big.js (line subtotals rounded half-up, a 10 % order-level promotion allocated to the lines
// by net with largest remainders, 19 % tax per line rounded half-up, flat shipping taxed at
// 19 %). The JS result is checked equal to Kassa's before anything is timed.
// The Pricer paths (rules held natively, lazy results) are checked the same way, through the
// lazy getters. Also: the call overhead of a small function.
//   node bench/pricing.js [--seconds 5] [--rounds 5]
const Big = require('big.js')
const kassa = require('..')

const SECONDS = Number((process.argv.find((a, i) => process.argv[i - 1] === '--seconds')) || 5)

function cart(n = 20) {
  const lines = []
  for (let i = 0; i < n; i++) {
    lines.push({
      lineId: `l${i}`,
      sku: `SKU-${i}`,
      productId: `p${i}`,
      quantity: 1 + (i % 4),
      unitPrice: { amount: (3.99 + i * 1.37).toFixed(2), currency: 'EUR' },
      taxClass: 'standard',
    })
  }
  return {
    lines,
    promotions: [{ id: 'ten', target: { type: 'order' }, action: { type: 'percent_off', percent: '10' } }],
    taxRules: [{ id: 'de', rate: '0.19', region: 'DE', taxClass: 'standard' }],
    context: { region: 'DE', currency: 'EUR', now: '2026-01-01T00:00:00Z' },
  }
}

// ---- the same rules in plain JS (big.js) ----
Big.RM = Big.roundHalfUp
function allocate(units, weights) {
  const total = weights.reduce((s, w) => s.plus(w), new Big(0))
  const parts = weights.map((w) => new Big(units).times(w).div(total))
  const floors = parts.map((p) => Number(p.round(0, Big.roundDown)))
  let rest = units - floors.reduce((a, b) => a + b, 0)
  const order = parts.map((p, i) => [p.minus(floors[i]), i]).sort((a, b) => b[0].cmp(a[0]) || weights[b[1]].cmp(weights[a[1]]) || a[1] - b[1])
  for (let k = 0; rest > 0; k++, rest--) floors[order[k][1]] += 1
  return floors
}
function priceJs(input) {
  const percent = new Big(input.promotions[0].action.percent)
  const rate = new Big(input.taxRules[0].rate)
  const lines = input.lines.map((l) => {
    const subtotal = new Big(l.unitPrice.amount).times(l.quantity).round(2)
    return { lineId: l.lineId, subtotal }
  })
  const subtotal = lines.reduce((s, l) => s.plus(l.subtotal), new Big(0))
  const discount = subtotal.times(percent).div(100).round(2)
  const parts = allocate(Number(discount.times(100)), lines.map((l) => l.subtotal))
  let taxTotal = new Big(0)
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]
    l.discount = new Big(parts[i]).div(100)
    l.net = l.subtotal.minus(l.discount)
    l.tax = l.net.times(rate).round(2)
    l.total = l.net.plus(l.tax)
    taxTotal = taxTotal.plus(l.tax)
  }
  const net = subtotal.minus(discount)
  return {
    lines: lines.map((l) => ({ lineId: l.lineId, subtotal: l.subtotal.toFixed(2), discountTotal: l.discount.toFixed(2), tax: l.tax.toFixed(2), total: l.total.toFixed(2) })),
    totals: { subtotal: subtotal.toFixed(2), discountTotal: discount.toFixed(2), taxTotal: taxTotal.toFixed(2), grandTotal: net.plus(taxTotal).toFixed(2) },
  }
}

function summarize(priced) {
  return {
    lines: priced.lines.map((l) => ({ lineId: l.lineId, subtotal: l.subtotal.amount, discountTotal: l.discountTotal.amount, tax: l.tax.amount, total: l.total.amount })),
    totals: { subtotal: priced.totals.subtotal.amount, discountTotal: priced.totals.discountTotal.amount, taxTotal: priced.totals.taxTotal.amount, grandTotal: priced.totals.grandTotal.amount },
  }
}

// Each batch of 100 calls is followed by a turn of the event loop, as a service gets between
// requests: Node runs the finalizers of native objects (the Pricer's results) only there, so a
// loop that never yields would measure a heap growing by every result ever made. The turns
// (and the finalizers run in them) are inside the timed span.
const tick = () => new Promise(setImmediate)
async function time(fn, seconds) {
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(Math.round(seconds * 1e9))
  let now = start
  while (now < end) {
    for (let i = 0; i < 100; i++) fn()
    n += 100
    await tick()
    now = process.hrtime.bigint()
  }
  return Number(now - start) / 1e3 / n
}

// The shared VM's speed drifts by 2x from one second to the next, so the rows are timed in
// ROUNDS interleaved rounds (each row SECONDS / ROUNDS per round) and each row reports its
// median round; the speed-ups compare medians.
const ROUNDS = Number((process.argv.find((a, i) => process.argv[i - 1] === '--rounds')) || 5)
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
async function benchRows(rows) {
  for (const [, fn] of rows) for (let i = 0; i < 2000; i++) fn() // warm-up
  await tick()
  const runs = rows.map(() => [])
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < rows.length; k++) runs[k].push(await time(rows[k][1], SECONDS / ROUNDS))
  }
  return rows.map(([name], k) => {
    const us = median(runs[k])
    const lo = Math.min(...runs[k])
    const hi = Math.max(...runs[k])
    console.log(`${name.padEnd(60)} ${us.toFixed(2).padStart(8)} µs/op   [${lo.toFixed(1)} – ${hi.toFixed(1)}]`)
    return us
  })
}

/** The bench's summary of a lazy `PricedCart`, through its getters. */
function summarizeLazy(priced) {
  return {
    lines: priced.lines.map((l) => ({ lineId: l.lineId, subtotal: l.subtotal.amount, discountTotal: l.discountTotal.amount, tax: l.tax.amount, total: l.total.amount })),
    totals: { subtotal: priced.subtotal.amount, discountTotal: priced.discountTotal.amount, taxTotal: priced.taxTotal.amount, grandTotal: priced.grandTotal.amount },
  }
}

const input = cart(20)
const kassaResult = summarize(kassa.pricing.priceCart(input))
const jsResult = priceJs(input)
const agree = (what, got) => {
  if (JSON.stringify(got) !== JSON.stringify(jsResult)) {
    console.error(`plain JS and Kassa (${what}) disagree:\n`, JSON.stringify(got), '\n', JSON.stringify(jsResult))
    process.exit(1)
  }
}
agree('priceCart', kassaResult)

// The Pricer: rules once, the cart as a native handle or as a plain object per call.
const { lines, context, ...rules } = input
const plainCart = { lines, context }
const pricer = new kassa.pricing.Pricer(rules)
const handle = new kassa.pricing.PricingCart(plainCart)
agree('pricer.price(handle)', summarizeLazy(pricer.price(handle)))
agree('pricer.price(object)', summarizeLazy(pricer.price(plainCart)))
if (JSON.stringify(pricer.price(handle).toJSON()) !== JSON.stringify(kassa.pricing.priceCart(input))) {
  console.error('pricer.price(handle).toJSON() differs from priceCart')
  process.exit(1)
}
console.log(`20-line cart, grand total ${kassaResult.totals.grandTotal} EUR (Kassa, its Pricer paths and plain JS agree)`)

function readLines(priced) {
  let last
  for (let i = 0, n = priced.lineCount; i < n; i++) {
    const l = priced.line(i)
    last = [l.net.amount, l.tax.amount]
  }
  return [last, priced.grandTotal.amount]
}

async function main() {
  const text = JSON.stringify(input)
  console.log(`median of ${ROUNDS} interleaved rounds (${SECONDS} s per row in all) [min – max round]`)
  const [tBinding, tJson, tHandle, tHandleLines, tObject, tObjectLines, tWhole, tJs] = await benchRows([
    ['kassa.pricing.priceCart(object) -> object', () => kassa.pricing.priceCart(input)],
    ["kassa.callJson('pricing.price_cart', text) -> text", () => kassa.callJson('pricing.price_cart', text)],
    ['pricer.price(cartHandle).grandTotal', () => pricer.price(handle).grandTotal],
    ['pricer.price(cartHandle): every line net + tax, grandTotal', () => readLines(pricer.price(handle))],
    ['pricer.price(plainCartObject).grandTotal', () => pricer.price(plainCart).grandTotal],
    ['pricer.price(plainCartObject): every line net + tax, grandTotal', () => readLines(pricer.price(plainCart))],
    ['pricer.price(cartHandle).toJSON() (whole result as objects)', () => pricer.price(handle).toJSON()],
    ['plain JS + big.js, same rules', () => priceJs(input)],
  ])
  const x = (t) => `${(tJs / t).toFixed(1)}x`
  console.log(`speed-up vs plain JS: priceCart ${x(tBinding)}, callJson ${x(tJson)}, handle+grandTotal ${x(tHandle)}, ` +
    `handle+lines ${x(tHandleLines)}, object+grandTotal ${x(tObject)}, object+lines ${x(tObjectLines)}, handle+toJSON ${x(tWhole)}`)

  console.log('\ncall overhead')
  const email = 'Ada@Example.com'
  await benchRows([
    ['JS no-op function', () => (function (x) { return x })(email)],
    ["kassa.identity.normalizeEmail({ email: 'Ada@Example.com' })", () => kassa.identity.normalizeEmail({ email })],
    ["kassa.callJson('identity.normalize_email', text)", () => kassa.callJson('identity.normalize_email', '{"email":"Ada@Example.com"}')],
    ['kassa.money.round(EUR 1.005 half_even)', () => kassa.money.round({ amount: { amount: '1.005', currency: 'EUR' }, mode: 'half_even' })],
  ])
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
