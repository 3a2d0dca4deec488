'use strict'
const fs = require('node:fs')
const path = require('node:path')

/** The cross-host vectors, read from the repository (../core/tests/vectors). */
const VECTORS = path.resolve(__dirname, '../../core/tests/vectors')

function vectorFiles(dir = VECTORS, out = []) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) vectorFiles(p, out)
    else if (e.name.endsWith('.json')) out.push(p)
  }
  return out.sort()
}

function loadVectors() {
  return vectorFiles().map((file) => ({
    name: path.relative(VECTORS, file),
    ...JSON.parse(fs.readFileSync(file, 'utf8')),
  }))
}

// The engine tests' setup (in-memory and opened by URL) and a checkout through it.
const SETUP = {
  start: '2026-03-02T09:00:00Z',
  engine: { defaultRegion: 'DE' },
  stock: [{ sku: 'TEE-ORG-WHT-S', onHand: 5 }, { sku: 'TEE-ORG-WHT-M', onHand: 2 }],
  rules: {
    promotions: [{ id: 'welcome', name: '10 % off', conditions: { couponRequired: true }, target: { type: 'order' }, action: { type: 'percent_off', percent: '10' } }],
    coupons: [{ code: 'WELCOME10', promotionId: 'welcome', usageLimit: 1 }],
    taxRules: [{ id: 'de-vat', rate: '0.19', region: 'DE', taxClass: 'standard' }],
    shippingRates: [{ id: 'dhl', regions: ['DE'], calculation: { type: 'flat', price: { amount: '4.90', currency: 'EUR' } } }],
  },
}
const alice = { id: 'alice', roles: ['customer'] }
const mallory = { id: 'mallory', roles: ['customer'] }
const admin = { id: 'root', roles: ['admin'] }

async function buy(engine, { key = 'k1', token = 'tok_approve', quantity = 2 } = {}) {
  const cart = await engine.cart.create({ actor: alice, currency: 'EUR' })
  await engine.cart.add({ actor: alice, cartId: cart.id, sku: 'TEE-ORG-WHT-S', quantity })
  const request = { cartId: cart.id, paymentToken: token, couponCodes: ['WELCOME10'] }
  const quote = await engine.checkout.quote({ actor: alice, request })
  return engine.checkout.run({ actor: alice, idempotencyKey: key, request: { ...request, expectedTotal: quote.totals.grandTotal } })
}

module.exports = { VECTORS, vectorFiles, loadVectors, SETUP, alice, mallory, admin, buy }
