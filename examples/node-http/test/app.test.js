'use strict'
// The REST endpoints through fastify.inject: a customer registers, logs in, fills a cart,
// checks out and reads the order; errors come back in the seed's envelope with their status.
const test = require('node:test')
const assert = require('node:assert/strict')
const { buildApp } = require('../app')

async function json(app, method, url, { body, token, headers = {} } = {}) {
  const res = await app.inject({
    method,
    url,
    payload: body,
    headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  })
  return { status: res.statusCode, body: res.json() }
}

test('a customer journey over REST', async () => {
  const app = buildApp()
  await app.ready()
  let r = await json(app, 'GET', '/health')
  assert.equal(r.status, 200)
  assert.equal(r.body.success, true)

  r = await json(app, 'GET', '/api/products?search=tee')
  assert.equal(r.status, 200)
  assert.ok(r.body.data.items.length > 0)
  // browsing is anonymous; owning a cart is not
  r = await json(app, 'POST', '/api/cart', { body: {} })
  assert.equal(r.status, 401, JSON.stringify(r.body))

  r = await json(app, 'POST', '/api/auth/register', { body: { email: 'Ada@Example.com', password: 'correct horse battery staple' } })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.data.email, 'ada@example.com')
  r = await json(app, 'POST', '/api/auth/login', { body: { email: 'ada@example.com', password: 'correct horse battery staple' } })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const token = r.body.data.tokens.accessToken

  r = await json(app, 'POST', '/api/cart', { token, body: { currency: 'EUR' } })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const cartId = r.body.data.id
  r = await json(app, 'POST', `/api/cart/${cartId}/items`, { token, body: { sku: 'TEE-ORG-WHT-S', quantity: 2 } })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.data.cart.lines.length, 1)

  r = await json(app, 'POST', '/api/checkout/quote', { token, body: { cartId, paymentToken: 'tok_approve' } })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const total = r.body.data.totals.grandTotal
  assert.equal(typeof total.amount, 'string')

  r = await json(app, 'POST', '/api/checkout', { token, headers: { 'idempotency-key': 'k-1' }, body: { cartId, paymentToken: 'tok_approve', expectedTotal: total } })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const order = r.body.data
  assert.deepEqual(order.totals.total, total)

  r = await json(app, 'GET', `/api/orders/${order.id}`, { token })
  assert.equal(r.status, 200)
  assert.equal(r.body.data.id, order.id)
  r = await json(app, 'GET', '/api/orders', { token })
  assert.equal(r.body.data.items.length, 1)
  await app.close()
})

test('errors use the envelope and the status of their code', async () => {
  const app = buildApp()
  await app.ready()
  let r = await json(app, 'GET', '/api/orders')
  assert.equal(r.status, 401)
  assert.deepEqual(Object.keys(r.body.error).sort(), ['code', 'details', 'message'])
  assert.equal(r.body.success, false)
  assert.equal(r.body.error.code, 'UNAUTHENTICATED')

  r = await json(app, 'POST', '/api/cart', { headers: { 'x-guest-id': 'g1' }, body: { currency: 'EUR' } })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const cartId = r.body.data.id
  r = await json(app, 'POST', `/api/cart/${cartId}/items`, { headers: { 'x-guest-id': 'g1' }, body: { sku: 'TEE-ORG-WHT-S', quantity: -1 } })
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, 'VALIDATION_ERROR')
  assert.equal(r.body.error.details[0].field, 'quantity')
  // another guest cannot see the cart
  r = await json(app, 'GET', `/api/cart/${cartId}`, { headers: { 'x-guest-id': 'g2' } })
  assert.equal(r.status, 404)
  assert.equal(r.body.error.code, 'NOT_FOUND')

  r = await json(app, 'POST', '/api/auth/login', { body: { email: 'nobody@example.com', password: 'whatever whatever' } })
  assert.equal(r.status, 401)
  r = await json(app, 'GET', '/api/admin/orders', { token: 'not-a-token' })
  assert.equal(r.status, 401)
  // money as a number is refused with 400 by the pure pricing endpoint
  r = await json(app, 'POST', '/api/pricing/price-cart', {
    body: { lines: [{ lineId: 'a', sku: 'A', productId: 'p', quantity: 1, unitPrice: { amount: 10, currency: 'EUR' } }], context: { region: 'DE', currency: 'EUR', now: '2026-01-01T00:00:00Z' } },
  })
  assert.equal(r.status, 400)
  assert.equal(r.body.error.code, 'VALIDATION_ERROR')
  await app.close()
})
