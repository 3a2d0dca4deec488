// Type-checked (tsc --noEmit) against the committed index.d.ts: the typed API as a TypeScript
// user writes it. Not executed; the behaviour is tested by the .test.js files.
import * as kassa from '..'
import type { Money, PricingInput, PricedCart, AllocateRequest } from '..'

const eur = (amount: string): Money => ({ amount, currency: 'EUR' })

const req: AllocateRequest = { amount: eur('100.00'), weights: ['1', '2'] }
const parts: Money[] = kassa.money.allocate(req)
const first: string = parts[0].amount

const rounded: Money = kassa.money.round({ amount: eur('1.005'), mode: 'half_even' })

const input: PricingInput = {
  lines: [{ lineId: 'a', sku: 'A-1', productId: 'p1', quantity: 2, unitPrice: eur('9.99') }],
  context: { region: 'DE', currency: 'EUR', now: '2026-01-01T00:00:00Z' },
}
const priced: PricedCart = kassa.pricing.priceCart(input)
const grand: string = priced.totals.grandTotal.amount

// @ts-expect-error money is never a JS number
kassa.money.round({ amount: { amount: 1.5, currency: 'EUR' }, mode: 'half_up' })
// @ts-expect-error rounding modes are a string union
kassa.money.round({ amount: eur('1'), mode: 'sideways' })

const anything: unknown = kassa.call('money.round', { amount: eur('1'), mode: 'up' })
const ops: string[] = kassa.operations()

try {
  kassa.inventory.gtin('4006381333931')
} catch (e) {
  if (e instanceof kassa.KassaError) {
    const code: kassa.ErrorCode = e.code
    const status: number = e.httpStatus
    const fields: string[] = e.details.map((d) => d.field)
    void [code, status, fields]
  } else if (e instanceof kassa.KassaTypeError) {
    const bad: 'VALIDATION_ERROR' = e.code
    void bad
  }
}

async function engineExample(): Promise<void> {
  const engine = kassa.Engine.inMemory({ engine: { defaultRegion: 'DE' } })
  const cart = await engine.call<{ id: string }>('cart.create', { actor: { id: 'alice', roles: ['customer'] }, currency: 'EUR' })
  const gateway: kassa.PaymentGatewayPort = {
    authorize: async (r) => ({ outcome: { type: 'approved' }, gatewayRef: `ref-${r.orderId}` }),
    capture: (_key, ref) => ({ outcome: { type: 'approved' }, gatewayRef: ref }),
    void: async (_key, ref) => ({ outcome: { type: 'approved' }, gatewayRef: ref }),
    refund: async (_key, ref, amount) => ({ outcome: { type: 'approved' }, gatewayRef: `${ref}-${amount.amount}` }),
  }
  const withPorts = kassa.Engine.withPorts({}, { gateway, events: { publish: (e) => void e.eventType } })
  await withPorts.call('health', {})
  void cart.id
}

void [first, rounded, grand, anything, ops, engineExample]
