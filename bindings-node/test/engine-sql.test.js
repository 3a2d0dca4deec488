'use strict'
// Engines opened by URL (`Engine.open`): a checkout on SQLite read back by a second engine on
// the same file (persistence), the setup loaded only into a fresh database, typed errors for
// bad URLs and options and an unreachable server, a JS gateway on an opened engine, and the
// same checkout on PostgreSQL when KASSA_TEST_POSTGRES_URL is set.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const kassa = require('..')
const { Engine } = kassa
const { SETUP, alice, mallory, buy } = require('./helpers.js')

const SAMPLE_CATALOG = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../examples/data/catalog.json'), 'utf8'))
// The in-memory setup without the manual clock's start, with the sample catalog (an opened
// engine loads no catalog by default).
const { start: _start, ...rest } = SETUP
const SQL_SETUP = {
  ...rest,
  catalog: SAMPLE_CATALOG,
  auth: { issuer: 'kassa-test', audience: 'shop', hs256Secret: '0123456789abcdef0123456789abcdef', config: { argon2: { memoryKib: 1024, iterations: 1, parallelism: 1 } } },
}
const SKU = 'TEE-ORG-WHT-S'
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/test'

const available = async (engine) => (await engine.inventory.availability({ skus: [SKU] }))[SKU]

/** A checkout and an account on one engine; a second engine on the same database reads them
 * back, and its setup (stock 5) is not loaded again. */
async function shopAndReopen(url, options = {}) {
  const first = await Engine.open(url, SQL_SETUP, options)
  assert.equal(first.persistent, true)
  assert.equal(await available(first), 5)
  const order = await buy(first, { key: 'sql-k1' })
  assert.equal(order.payment.status, 'captured')
  assert.equal(order.customerId, 'alice')
  assert.equal(await available(first), 3)
  // the idempotency key is held in the database: another request under it is refused
  await assert.rejects(
    first.checkout.run({ actor: alice, idempotencyKey: 'sql-k1', request: { cartId: 'other', paymentToken: 'tok_approve' } }),
    (e) => e instanceof kassa.ConflictError && e.meta.idempotency === 'key_reused',
  )
  await first.auth.register({ email: 'ada@example.com', password: 'correct horse battery staple' })
  assert.equal((await first.health()).status, 'up')
  await first.close()
  await assert.rejects(first.order.get({ actor: alice, orderId: order.id }), kassa.UnavailableError)

  const second = await Engine.open(url, SQL_SETUP, options)
  try {
    assert.deepEqual(await second.order.get({ actor: alice, orderId: order.id }), order)
    const mine = await second.order.mine({ actor: alice })
    assert.deepEqual(mine.items.map((o) => o.id), [order.id])
    assert.equal(await available(second), 3) // not reset to the setup's 5
    const session = await second.auth.login({ email: 'ada@example.com', password: 'correct horse battery staple', clientAddress: '10.0.0.1' })
    const claims = await second.auth.authenticate({ token: session.tokens.accessToken })
    assert.deepEqual(claims.roles, ['customer'])
    await assert.rejects(second.order.get({ actor: mallory, orderId: order.id }), kassa.NotFoundError)
    await assert.rejects(second.memory.now({}), kassa.ConflictError)
  } finally {
    await second.close()
  }
}

test('SQLite: a checkout persists across engines on the same file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kassa-node-'))
  try {
    await shopAndReopen(`sqlite://${dir}/kassa.db`, { sqliteBusyTimeoutSeconds: 2 })
    assert.ok(fs.existsSync(path.join(dir, 'kassa.db')))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite::memory: with an empty setup starts with an empty catalog', async () => {
  const engine = await Engine.open('sqlite::memory:')
  assert.equal(engine.persistent, true)
  assert.equal(Engine.inMemory({}).persistent, false)
  const page = await engine.catalog.browse({ query: { context: { currency: 'EUR' } } })
  assert.deepEqual(page.items, [])
  await engine.close()
})

test('a JS gateway on an opened engine', async () => {
  const calls = []
  const gateway = {
    authorize: async (request) => { calls.push(request); return { outcome: { type: 'declined', code: 'card_declined', message: 'insufficient funds' } } },
    capture: async () => { throw new Error('not called') },
    void: async () => { throw new Error('not called') },
    refund: async () => { throw new Error('not called') },
  }
  const engine = await Engine.open('sqlite::memory:', SQL_SETUP, { gateway })
  await assert.rejects(buy(engine), (e) => e instanceof kassa.PaymentDeclinedError && e.code === 'PAYMENT_DECLINED')
  assert.equal(calls.length, 1)
  assert.equal(calls[0].amount.currency, 'EUR')
  await engine.close()
  await assert.rejects(Engine.open('sqlite::memory:', {}, { gateway: { authorize: () => null } }), (e) => e instanceof kassa.KassaTypeError && e.details[0].field === 'ports.gateway.capture')
})

for (const [url, options, field] of [
  ['mysql://root@127.0.0.1/shop', {}, 'url'],
  ['not a url', {}, 'url'],
  [UNREACHABLE, { schema: 'bad-name; DROP' }, 'schema'],
  ['sqlite::memory:', { maxConnections: 0 }, 'maxConnections'],
  ['sqlite::memory:', { acquireTimeoutSeconds: -1 }, 'acquireTimeoutSeconds'],
  ['sqlite::memory:', { idempotencyLockTimeoutSeconds: 'soon' }, 'idempotencyLockTimeoutSeconds'],
]) {
  test(`Engine.open(${JSON.stringify(url)}, ${JSON.stringify(options)}) is a ValidationError on ${field}`, async () => {
    await assert.rejects(Engine.open(url, {}, options), (e) => {
      assert.ok(e instanceof kassa.ValidationError, String(e))
      assert.equal(e.code, 'VALIDATION_ERROR')
      assert.equal(e.httpStatus, 400)
      assert.deepEqual(e.details.map((d) => d.field), [field])
      return true
    })
  })
}

test('a bad setup or argument is refused before connecting', async () => {
  await assert.rejects(Engine.open('sqlite::memory:', { engine: { defaultRegion: ['DE'] } }), (e) => e instanceof kassa.ValidationError && e.details[0].field === 'engine.defaultRegion')
  await assert.rejects(Engine.open('sqlite::memory:', { start: '2026-01-01T00:00:00Z' }), kassa.ValidationError)
  await assert.rejects(Engine.open(42), (e) => e instanceof kassa.KassaTypeError && e.details[0].field === 'url')
  await assert.rejects(Engine.open('sqlite::memory:', {}, { poolSize: 3 }), (e) => e instanceof kassa.KassaTypeError && e.details[0].field === 'options.poolSize')
})

test('an unreachable PostgreSQL is UNAVAILABLE, within the acquire timeout', async () => {
  const started = Date.now()
  await assert.rejects(Engine.open(UNREACHABLE, {}, { acquireTimeoutSeconds: 0.5 }), (e) => {
    assert.ok(e instanceof kassa.UnavailableError, String(e))
    assert.equal(e.code, 'UNAVAILABLE')
    assert.equal(e.httpStatus, 503)
    assert.ok('retryAfterSeconds' in e.meta)
    return true
  })
  assert.ok(Date.now() - started < 5000)
})

test('PostgreSQL: a checkout persists across engines (KASSA_TEST_POSTGRES_URL)', async (t) => {
  const url = process.env.KASSA_TEST_POSTGRES_URL
  if (!url) {
    t.skip('KASSA_TEST_POSTGRES_URL is not set: no PostgreSQL server to test against')
    return
  }
  const schema = `kassa_node_${process.pid}_${crypto.randomBytes(4).toString('hex')}`
  try {
    await shopAndReopen(url, { schema, maxConnections: 4, acquireTimeoutSeconds: 5 })
  } finally {
    // dropped when a psql client is at hand (the schema is unique to the run either way)
    spawnSync('psql', [url, '-q', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore', timeout: 30000 })
  }
})
