'use strict'
// The seed's REST endpoints on Kassa's embedded defaults, as a Fastify app.
// Responses use the seed's envelopes: `{ success: true, data }` and
// `{ success: false, error: { code, message, details } }` with the error's HTTP status.
// Authentication: `Authorization: Bearer <access token>` (from /api/auth/login), checked by
// the engine (`auth.authenticate`); guests act as `{ id: "guest:<X-Guest-Id>", roles: ["guest"] }`.
const Fastify = require('fastify')
const kassa = require('kassa')

const DEFAULT_SETUP = {
  engine: { defaultRegion: 'DE' },
  stock: [
    { sku: 'TEE-ORG-WHT-S', onHand: 25 },
    { sku: 'TEE-ORG-WHT-M', onHand: 25 },
  ],
  rules: {
    taxRules: [{ id: 'de-vat', rate: '0.19', region: 'DE', taxClass: 'standard' }],
    shippingRates: [{ id: 'dhl', regions: ['DE'], calculation: { type: 'flat', price: { amount: '4.90', currency: 'EUR' } } }],
  },
  auth: {
    issuer: 'kassa-node-http',
    audience: 'shop',
    hs256Secret: process.env.KASSA_JWT_SECRET || 'change-me-change-me-change-me-32b',
    config: { argon2: { memoryKib: 1024, iterations: 1, parallelism: 1 } },
  },
}

function buildApp({ setup = DEFAULT_SETUP, logger = false } = {}) {
  const engine = kassa.Engine.inMemory(setup)
  const app = Fastify({ logger })

  app.setErrorHandler((err, req, reply) => {
    if (kassa.isKassaError(err)) {
      if (err.code === 'RATE_LIMITED' && err.meta && err.meta.retryAfterSeconds) reply.header('retry-after', String(err.meta.retryAfterSeconds))
      return reply.status(err.httpStatus).send(err.toEnvelope())
    }
    if (err.validation || err.statusCode === 400) {
      return reply.status(400).send({ success: false, error: { code: 'VALIDATION_ERROR', message: err.message, details: [] } })
    }
    req.log.error(err)
    return reply.status(500).send({ success: false, error: { code: 'INTERNAL', message: 'internal error', details: [] } })
  })

  const ok = (data) => ({ success: true, data })

  async function actor(req, { required = false, browse = false } = {}) {
    const auth = req.headers.authorization
    if (auth && auth.startsWith('Bearer ')) {
      const claims = await engine.auth.authenticate({ token: auth.slice(7) })
      return { id: claims.userId, roles: claims.roles }
    }
    if (required) throw new kassa.UnauthenticatedError('sign in first', { code: 'UNAUTHENTICATED' })
    const guest = req.headers['x-guest-id']
    if (guest) return { id: `guest:${guest}`, roles: ['guest'] }
    // Browsing needs no identity; whatever owns data (a cart) needs a guest id or a token,
    // or every anonymous visitor would share one owner.
    if (browse) return { id: 'anonymous', roles: ['guest'] }
    throw new kassa.UnauthenticatedError('send an X-Guest-Id header or sign in', { code: 'UNAUTHENTICATED' })
  }
  const client = (req) => req.ip || ''

  app.get('/health', async () => ok(await engine.health({})))

  // ---- auth ----
  app.post('/api/auth/register', async (req, reply) => reply.status(201).send(ok(await engine.auth.register(req.body || {}))))
  app.post('/api/auth/verify-email', async (req) => ok(await engine.auth.verifyEmail({ token: (req.body || {}).token })))
  app.post('/api/auth/login', async (req) => ok(await engine.auth.login({ ...(req.body || {}), clientAddress: client(req) })))
  app.post('/api/auth/refresh', async (req) => ok(await engine.auth.refresh({ token: (req.body || {}).refreshToken })))
  app.post('/api/auth/logout', async (req) => ok(await engine.auth.logout({ token: (req.body || {}).refreshToken })))
  app.post('/api/auth/forgot-password', async (req) => ok(await engine.auth.forgotPassword({ email: (req.body || {}).email, clientAddress: client(req) })))
  app.post('/api/auth/reset-password', async (req) => ok(await engine.auth.resetPassword(req.body || {})))

  // ---- catalog ----
  app.get('/api/products', async (req) => {
    const q = req.query
    const query = { text: q.search || q.text || undefined, context: { currency: q.currency || 'EUR' } }
    if (q.page || q.pageSize) query.page = { page: Number(q.page || 1), pageSize: Number(q.pageSize || 20) }
    return ok(await engine.catalog.browse({ actor: await actor(req, { browse: true }), query }))
  })
  app.put('/api/admin/inventory/:sku', async (req) =>
    ok(await engine.inventory.setStock({ actor: await actor(req, { required: true }), sku: req.params.sku, onHand: (req.body || {}).onHand })))
  app.get('/api/inventory', async (req) => ok(await engine.inventory.availability({ skus: req.query.skus ? String(req.query.skus).split(',') : undefined })))

  // ---- cart ----
  app.post('/api/cart', async (req, reply) =>
    reply.status(201).send(ok(await engine.cart.create({ actor: await actor(req), currency: (req.body || {}).currency || 'EUR' }))))
  app.get('/api/cart/:cartId', async (req) => ok(await engine.cart.get({ actor: await actor(req), cartId: req.params.cartId })))
  app.post('/api/cart/:cartId/items', async (req) => {
    const { sku, quantity } = req.body || {}
    return ok(await engine.cart.add({ actor: await actor(req), cartId: req.params.cartId, sku, quantity }))
  })
  app.put('/api/cart/:cartId/items/:lineId', async (req) =>
    ok(await engine.cart.setQuantity({ actor: await actor(req), cartId: req.params.cartId, lineId: req.params.lineId, quantity: (req.body || {}).quantity })))
  app.delete('/api/cart/:cartId/items/:lineId', async (req) =>
    ok(await engine.cart.remove({ actor: await actor(req), cartId: req.params.cartId, lineId: req.params.lineId })))

  // ---- checkout and orders ----
  app.post('/api/checkout/quote', async (req) => ok(await engine.checkout.quote({ actor: await actor(req), request: req.body || {} })))
  app.post('/api/checkout', async (req, reply) => {
    const idempotencyKey = req.headers['idempotency-key']
    const order = await engine.checkout.run({ actor: await actor(req), idempotencyKey, request: req.body || {} })
    return reply.status(201).send(ok(order))
  })
  app.get('/api/orders', async (req) => {
    const page = req.query.page ? { page: Number(req.query.page), pageSize: Number(req.query.pageSize || 20) } : undefined
    return ok(await engine.order.mine({ actor: await actor(req, { required: true }), page }))
  })
  app.get('/api/orders/:orderId', async (req) => ok(await engine.order.get({ actor: await actor(req), orderId: req.params.orderId })))
  app.post('/api/orders/:orderId/cancel', async (req) =>
    ok(await engine.order.cancel({ actor: await actor(req), orderId: req.params.orderId, reason: (req.body || {}).reason || '' })))
  app.post('/api/orders/:orderId/refund', async (req) =>
    ok(await engine.order.refund({ actor: await actor(req, { required: true }), orderId: req.params.orderId, request: req.body || {} })))

  // ---- admin ----
  app.get('/api/admin/orders', async (req) => {
    const page = { page: Number(req.query.page || 1), pageSize: Number(req.query.pageSize || 20) }
    const filter = {}
    if (req.query.status) filter.status = req.query.status
    return ok(await engine.order.history({ actor: await actor(req, { required: true }), filter, page }))
  })
  app.patch('/api/admin/orders/:orderId/status', async (req) =>
    ok(await engine.order.updateStatus({ actor: await actor(req, { required: true }), orderId: req.params.orderId, update: (req.body || {}).update, reason: (req.body || {}).reason || '' })))
  app.post('/api/admin/products', async (req, reply) =>
    reply.status(201).send(ok(await engine.catalog.createProduct({ actor: await actor(req, { required: true }), product: req.body }))))
  app.get('/api/admin/dashboard', async (req) =>
    ok(await engine.admin.dashboard({ actor: await actor(req, { required: true }), request: req.query.from ? { from: req.query.from, to: req.query.to } : {} })))

  // ---- pure domain, stateless ----
  app.post('/api/pricing/price-cart', async (req) => ok(kassa.pricing.priceCart(req.body)))

  app.decorate('kassaEngine', engine)
  return app
}

module.exports = { buildApp, DEFAULT_SETUP }
