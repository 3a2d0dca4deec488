'use strict'
// The engine for Node: every call returns a Promise; ports may be implemented in JavaScript.

const { _internal, KassaTypeError, UnavailableError, isKassaError } = require('./index.js')

const { native, fromNative, encode } = _internal

const camel = (s) => s.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase())

/** Methods each JS-implemented port must have. */
const PORT_METHODS = Object.freeze({
  gateway: ['authorize', 'capture', 'void', 'refund'],
  events: ['publish'],
  orders: ['insert', 'get', 'getByNumber', 'compareAndSet', 'list', 'nextNumber'],
})

/**
 * The one dispatcher of an engine's JS ports, `(port, method, argsJson) => Promise<string>`,
 * and the map of recent exceptions it keeps for `cause`. Always resolves: a JS exception
 * never crosses into Rust.
 */
function dispatcherFor(ports) {
  const causes = new Map()
  let nextCause = 1
  const dispatch = async (port, method, argsJson) => {
    try {
      const impl = ports[port]
      const args = JSON.parse(argsJson)
      let result
      if (method === 'health' && typeof impl.health !== 'function') {
        result = { port, status: 'up', detail: 'JS port' }
      } else {
        result = await impl[method](...args)
      }
      return JSON.stringify({ ok: result === undefined ? null : result })
    } catch (e) {
      const id = nextCause++
      causes.set(id, e)
      // an error the engine handles itself is never claimed: keep only the recent ones
      if (causes.size > 1000) causes.delete(causes.keys().next().value)
      const error = isKassaError(e)
        ? { code: e.code, message: e.message, details: e.details || [] }
        : { code: 'UNAVAILABLE', message: `${port}.${method} failed: ${e && e.message ? e.message : String(e)}`, meta: { retryAfterSeconds: 1 } }
      return JSON.stringify({ error, causeId: id })
    }
  }
  return { dispatch, causes }
}

/** Checks the JS ports object: known port names, every method a function. */
function portNames(ports, allowed) {
  const names = { gateway: false, events: false, orders: false }
  for (const [name, impl] of Object.entries(ports)) {
    if (!allowed.includes(name)) throw new KassaTypeError(`unknown port '${name}' (${allowed.join(', ')})`, { details: [{ field: `ports.${name}`, message: 'unknown port' }] })
    if (impl == null) continue
    for (const m of PORT_METHODS[name]) {
      if (typeof impl[m] !== 'function') {
        throw new KassaTypeError(`ports.${name}.${m} must be a function`, { details: [{ field: `ports.${name}.${m}`, message: 'expected a function' }] })
      }
    }
    names[name] = true
  }
  return names
}

/** `Engine.open` options (camelCase) → the JSON form the native side reads. */
const OPEN_OPTIONS = ['schema', 'maxConnections', 'acquireTimeoutSeconds', 'idempotencyLockTimeoutSeconds', 'sqliteBusyTimeoutSeconds']

class Engine {
  /** @private use `Engine.inMemory` or `Engine.withPorts`. */
  constructor(nativeEngine, causes) {
    this._native = nativeEngine
    this._causes = causes || new Map()
    // typed namespaces: engine.cart.add(request), engine.checkout.run(request), ...
    for (const op of native.NativeEngine.operations()) {
      const [ns, name] = op.includes('.') ? op.split('.') : [null, op]
      const fn = (request) => this.call(op, request)
      if (ns === null) {
        if (!(op in this)) this[camel(op)] = fn
      } else {
        this[ns] = this[ns] || {}
        this[ns][camel(name)] = fn
      }
    }
  }

  /**
   * The embedded defaults: in-memory stores, sandbox gateway, manual clock, sequential ids.
   * `setup` (all optional): `{ catalog, rules, start, seed, engine, stock, auth }`.
   */
  static inMemory(setup = {}) {
    try {
      return new Engine(native.NativeEngine.inMemory(encode(setup)))
    } catch (e) {
      throw fromNative(e, setup)
    }
  }

  /**
   * The embedded defaults with some ports implemented in JS: `ports.gateway`,
   * `ports.events`, `ports.orders` — any objects with the documented methods, returning
   * values or Promises. A throw (or rejection) in a port comes back as a `KassaError`
   * (its own code when it threw a `KassaError`, else `UNAVAILABLE`) with `cause` set to what
   * was thrown.
   */
  static withPorts(setup = {}, ports = {}) {
    const names = portNames(ports, Object.keys(PORT_METHODS))
    const { dispatch, causes } = dispatcherFor(ports)
    try {
      return new Engine(native.NativeEngine.withJsPorts(encode(setup), names, dispatch), causes)
    } catch (e) {
      throw fromNative(e, setup)
    }
  }

  /**
   * The engine on the database at `url`: `postgres://user:pw@host:5432/db` (also
   * `postgresql://`; TLS with `?sslmode=require`), `sqlite:///abs/path/kassa.db`,
   * `sqlite://relative/path.db` or `sqlite::memory:`. Resolves once connected and migrated
   * (migrations are idempotent and safe from several processes at once).
   *
   * `setup` (all optional): `engine`, `auth`, `billing` as for `inMemory`, and `catalog`,
   * `rules`, `stock`, loaded **only into a fresh database** (one whose catalog was never
   * written); later opens ignore them. No `start` / `seed`: the system clock, UUID ids and
   * the OS random source.
   *
   * `options` (all optional): `schema` (PostgreSQL), `maxConnections` (default 10),
   * `acquireTimeoutSeconds` (default 5; also bounds connecting), `idempotencyLockTimeoutSeconds`
   * (default 60), `sqliteBusyTimeoutSeconds` (default 5), and `gateway`: a JS payment gateway
   * port (default: the sandbox gateway, for development).
   *
   * Rejects with `ValidationError` naming `url`, `schema`, an option or a setup field, and
   * with `UnavailableError` when the database cannot be reached in time.
   */
  static async open(url, setup = {}, options = {}) {
    if (typeof url !== 'string') throw new KassaTypeError('url must be a string', { details: [{ field: 'url', message: 'expected a string' }] })
    if (options === null || typeof options !== 'object') throw new KassaTypeError('options must be an object', { details: [{ field: 'options', message: 'expected an object' }] })
    const { gateway, ...rest } = options
    const nativeOptions = {}
    for (const [k, v] of Object.entries(rest)) {
      if (!OPEN_OPTIONS.includes(k)) throw new KassaTypeError(`unknown option '${k}' (${OPEN_OPTIONS.join(', ')}, gateway)`, { details: [{ field: `options.${k}`, message: 'unknown option' }] })
      if (v !== undefined && v !== null) nativeOptions[k] = v
    }
    let dispatch
    let causes
    if (gateway != null) {
      portNames({ gateway }, ['gateway'])
      ;({ dispatch, causes } = dispatcherFor({ gateway }))
    }
    try {
      return new Engine(await native.NativeEngine.open(url, encode(setup), JSON.stringify(nativeOptions), dispatch), causes)
    } catch (e) {
      throw fromNative(e, setup)
    }
  }

  /** Whether the engine runs on a database (`Engine.open`) rather than in memory. */
  get persistent() {
    return this._native.persistent
  }

  /**
   * Closes the database pool of an opened engine (waits for calls in flight); later calls
   * reject with `UnavailableError`. Resolves at once for an in-memory engine.
   */
  async close() {
    await this._native.close()
  }

  /** Every engine operation name. */
  static operations() {
    return native.NativeEngine.operations()
  }

  /** Runs one engine operation; resolves to its result, rejects with a Kassa error. */
  async call(op, request = {}) {
    if (typeof op !== 'string') throw new KassaTypeError('operation must be a string', { details: [{ field: 'operation', message: 'expected a string' }] })
    const text = encode(request)
    let out
    try {
      out = await this._native.call(op, text)
    } catch (e) {
      const err = fromNative(e, request)
      const id = err.meta && err.meta.hostCauseId
      if (id !== undefined && this._causes.has(id)) {
        Object.defineProperty(err, 'cause', { value: this._causes.get(id), writable: true, configurable: true, enumerable: false })
        this._causes.delete(id)
      }
      throw err
    }
    return JSON.parse(out)
  }
}

module.exports = { Engine, PORT_METHODS, UnavailableError }
