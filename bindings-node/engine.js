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
    const names = { gateway: false, events: false, orders: false }
    for (const [name, impl] of Object.entries(ports)) {
      if (!(name in PORT_METHODS)) throw new KassaTypeError(`unknown port '${name}' (gateway, events, orders)`, { details: [{ field: `ports.${name}`, message: 'unknown port' }] })
      if (impl == null) continue
      for (const m of PORT_METHODS[name]) {
        if (typeof impl[m] !== 'function') {
          throw new KassaTypeError(`ports.${name}.${m} must be a function`, { details: [{ field: `ports.${name}.${m}`, message: 'expected a function' }] })
        }
      }
      names[name] = true
    }
    const causes = new Map()
    let nextCause = 1
    // Always resolves: a JS exception never crosses into Rust.
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
    try {
      return new Engine(native.NativeEngine.withJsPorts(encode(setup), names, dispatch), causes)
    } catch (e) {
      throw fromNative(e, setup)
    }
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
