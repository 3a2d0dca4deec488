'use strict'
// The engine through Promises, and ports implemented in JavaScript (gateway, event sink,
// order store): values and Promises, thrown errors as Kassa errors with `cause`, no abort.
const test = require('node:test')
const assert = require('node:assert/strict')
const kassa = require('..')
const { Engine } = kassa

const { SETUP, alice, mallory, admin, buy } = require('./helpers.js')

test('engine calls return Promises; a shop day on the embedded defaults', async () => {
  const engine = Engine.inMemory(SETUP)
  const p = engine.call('health', {})
  assert.ok(p instanceof Promise)
  await p
  const page = await engine.catalog.browse({ query: { text: 'tee', context: { currency: 'EUR' } } })
  assert.ok(page.items.length > 0)
  const order = await buy(engine)
  assert.equal(order.payment.status, 'captured')
  assert.equal(typeof order.totals.total.amount, 'string')
  const replay = await buy(engine).catch((e) => e)
  // a second cart with the same idempotency key: the key is taken for another request
  assert.ok(replay.id === order.id || kassa.isKassaError(replay))
  await assert.rejects(engine.order.get({ actor: mallory, orderId: order.id }), (e) => e instanceof kassa.NotFoundError && e.httpStatus === 404)
  await assert.rejects(engine.order.updateStatus({ actor: alice, orderId: order.id, update: { action: 'ship' } }), kassa.ForbiddenError)
  const stock = await engine.inventory.availability({ skus: ['TEE-ORG-WHT-S'] })
  assert.equal(stock['TEE-ORG-WHT-S'], 3)
  const history = await engine.order.history({ actor: admin })
  assert.equal(history.items[0].id, order.id)
  await engine.memory.advanceClock({ seconds: 3600 })
  assert.equal(await engine.memory.now({}), '2026-03-02T10:00:00Z')
})

test('identity flows through JSON; purging drops only what nobody can present any more', async () => {
  const engine = Engine.inMemory({
    ...SETUP,
    auth: { issuer: 'kassa-test', audience: 'shop', hs256Secret: '0123456789abcdef0123456789abcdef', config: { argon2: { memoryKib: 1024, iterations: 1, parallelism: 1 } } },
  })
  const password = 'correct horse battery staple'
  await engine.call('auth.register', { email: 'Ada@Example.com', password })
  const session = await engine.call('auth.login', { email: 'ada@example.com', password, clientAddress: '10.0.0.1' })
  const claims = await engine.call('auth.authenticate', { token: session.tokens.accessToken })
  assert.deepEqual(claims.roles, ['customer'])
  assert.deepEqual(await engine.call('auth.purge_expired_tokens', {}), { families: 0, oneTime: 0 })
  // past the session's 7 days and the 30-minute access lifetime
  await engine.call('memory.advance_clock', { seconds: 7 * 86400 + 1801 })
  assert.deepEqual(await engine.call('auth.purge_expired_tokens', {}), { families: 1, oneTime: 1 })
  await assert.rejects(engine.call('auth.authenticate', { token: session.tokens.accessToken }), kassa.UnauthenticatedError)
})

test('engine errors are typed, with the field path; bad setup is a ValidationError', async () => {
  const engine = Engine.inMemory(SETUP)
  await assert.rejects(engine.cart.add({ actor: { id: 'a' }, cartId: 'c', sku: 'X', quantity: -1 }), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'quantity')
  await assert.rejects(engine.call('no.such_op', {}), kassa.NotFoundError)
  assert.throws(() => Engine.inMemory({ stock: [{ sku: '', onHand: 1 }] }), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'stock[0].sku')
  // many calls in flight at once
  const carts = await Promise.all(Array.from({ length: 20 }, () => engine.cart.create({ actor: alice, currency: 'EUR' })))
  assert.equal(new Set(carts.map((c) => c.id)).size, 20)
})

function mapOrderStore() {
  const orders = new Map()
  let n = 0
  return {
    orders,
    insert: async (order) => {
      if (orders.has(order.id)) throw new kassa.ConflictError(`order ${order.id} exists`, { code: 'CONFLICT' })
      orders.set(order.id, order)
      return order
    },
    get: (id) => orders.get(id) ?? null, // a plain value, no Promise
    getByNumber: async (number) => [...orders.values()].find((o) => o.number === number) ?? null,
    compareAndSet: async (order) => {
      const cur = orders.get(order.id)
      if (!cur) throw new kassa.NotFoundError(`order ${order.id}`, { code: 'NOT_FOUND' })
      if (cur.version !== order.version - 1 && cur.version !== order.version) throw new kassa.ConflictError('stale order', { code: 'CONFLICT' })
      orders.set(order.id, order)
      return order
    },
    list: async (filter, page) => {
      let items = [...orders.values()]
      if (filter.customerId) items = items.filter((o) => o.customerId === filter.customerId)
      const size = page.pageSize || 20
      const p = page.page || 1
      return {
        items: items.slice((p - 1) * size, p * size),
        pagination: { page: p, pageSize: size, total: items.length, totalPages: Math.max(1, Math.ceil(items.length / size)), hasNextPage: p * size < items.length, hasPreviousPage: p > 1 },
      }
    },
    nextNumber: async () => ++n,
    health: () => ({ port: 'orders', status: 'up', detail: 'Map' }),
  }
}

test('JS-implemented gateway, event sink and order store', async () => {
  const calls = []
  const published = []
  const gateway = {
    async authorize(req) {
      calls.push(['authorize', req])
      assert.equal(typeof req.amount.amount, 'string')
      await new Promise((r) => setTimeout(r, 1))
      return req.paymentToken === 'tok_decline'
        ? { outcome: { type: 'declined', code: 'card_declined', message: 'no' } }
        : { outcome: { type: 'approved' }, gatewayRef: `js_${req.orderId}` }
    },
    capture: async (key, ref) => ({ outcome: { type: 'approved' }, gatewayRef: ref }),
    void: async (key, ref) => ({ outcome: { type: 'approved' }, gatewayRef: ref }),
    refund: async (key, ref) => ({ outcome: { type: 'approved' }, gatewayRef: ref }),
  }
  const events = { publish: (e) => { published.push(e) } }
  const store = mapOrderStore()
  const engine = Engine.withPorts(SETUP, { gateway, events, orders: store })
  const order = await buy(engine)
  assert.equal(calls[0][0], 'authorize')
  assert.equal(calls[0][1].amount.amount, order.totals.total.amount)
  assert.ok(JSON.stringify(order).includes(`js_${calls[0][1].orderId}`), "the JS gateway reference is on the order")
  assert.ok(store.orders.has(order.id), 'the order lives in the JS store')
  const got = await engine.order.get({ actor: alice, orderId: order.id })
  assert.equal(got.id, order.id)
  assert.ok(published.length > 0, 'events reached the JS sink')
  assert.ok(published.every((e) => typeof e.eventType === 'string' && typeof e.payload === 'string'))
  const health = await engine.health({})
  assert.ok(JSON.stringify(health).includes('Map'))
})

test('a throwing JS port: typed error with cause, never an abort', async () => {
  const boom = new Error('database down')
  const store = mapOrderStore()
  store.insert = () => { throw boom } // synchronous throw
  const engine = Engine.withPorts(SETUP, { orders: store })
  const err = await buy(engine).then(() => null, (e) => e)
  assert.ok(err, 'checkout should fail')
  assert.ok(err instanceof kassa.UnavailableError, String(err))
  assert.equal(err.code, 'UNAVAILABLE')
  assert.equal(err.httpStatus, 503)
  assert.equal(err.cause, boom)
  assert.match(err.message, /database down/)

  // a rejected Promise, too
  const rejected = new Error('timeout')
  const store2 = mapOrderStore()
  store2.get = () => Promise.reject(rejected)
  const engine2 = Engine.withPorts(SETUP, { orders: store2 })
  const err2 = await engine2.order.get({ actor: alice, orderId: 'o-1' }).then(() => null, (e) => e)
  assert.ok(err2 instanceof kassa.UnavailableError, String(err2))
  assert.equal(err2.cause, rejected)

  // a gateway that throws: the payment outcome is unknown, the process lives on
  const gateway = {
    authorize: () => { throw new Error('provider down') },
    capture: async () => { throw new Error('x') },
    void: async () => { throw new Error('x') },
    refund: async () => { throw new Error('x') },
  }
  const outcome = await buy(Engine.withPorts(SETUP, { gateway })).then((o) => o, (e) => e)
  assert.ok(kassa.isKassaError(outcome) || outcome.payment.status !== 'captured', JSON.stringify(outcome))

  // a port returning a value of the wrong shape is a typed error
  const store3 = mapOrderStore()
  store3.get = () => ({ nonsense: true })
  const err3 = await Engine.withPorts(SETUP, { orders: store3 }).order.get({ actor: alice, orderId: 'o-1' }).then(() => null, (e) => e)
  assert.ok(err3 instanceof kassa.ValidationError, String(err3))
  assert.match(err3.details[0].field, /^orders\.get\.result/)

  // and the engine still works afterwards
  const order = await buy(Engine.withPorts(SETUP, { events: { publish: async () => {} } }))
  assert.equal(order.payment.status, 'captured')
})

test('a port throwing a KassaError keeps its code', async () => {
  const store = mapOrderStore()
  const denied = new kassa.ConflictError('replica is read-only', { code: 'CONFLICT' })
  store.get = async () => { throw denied }
  const err = await Engine.withPorts(SETUP, { orders: store }).order.get({ actor: alice, orderId: 'o-1' }).then(() => null, (e) => e)
  assert.ok(err instanceof kassa.ConflictError, String(err))
  assert.equal(err.code, 'CONFLICT')
  assert.equal(err.cause, denied)
})

test('ports are checked when the engine is built', () => {
  assert.throws(() => Engine.withPorts(SETUP, { gateway: { authorize() {} } }), kassa.KassaTypeError)
  assert.throws(() => Engine.withPorts(SETUP, { teleporter: {} }), kassa.KassaTypeError)
})
