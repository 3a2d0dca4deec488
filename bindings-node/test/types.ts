// Type-checked (tsc --noEmit) against the committed index.d.ts: the typed API as a TypeScript
// user writes it. Not executed; the behaviour is tested by the .test.js files.
import * as kassa from '..'
import type { Money, PricingInput, PricedCart, AllocateRequest, PricingRules, PricingLine } from '..'

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
  const opened: kassa.Engine = await kassa.Engine.open('sqlite::memory:', { engine: { defaultRegion: 'DE' }, stock: [{ sku: 'A-1', onHand: 3 }] }, { acquireTimeoutSeconds: 2, gateway })
  const persistent: boolean = opened.persistent
  await opened.close()
  void [cart.id, persistent]
}

// Rules and carts held natively, lazy results
const rules: PricingRules = { taxRules: [{ id: 'de', region: 'DE', taxClass: 'standard', rate: '0.19' }] }
const pricer = new kassa.pricing.Pricer(rules)
const pricerFromText = new kassa.pricing.Pricer(JSON.stringify(rules))
const handle = new kassa.pricing.PricingCart({ lines: input.lines, context: input.context })
const newLine: PricingLine = { lineId: 'b', sku: 'B-1', productId: 'p2', quantity: 1, unitPrice: eur('1.50') }
handle.setLine(newLine).setQuantity('a', 3).removeLine('b').setCouponCodes(['SAVE5']).setShippingMethod(null).setContext(input.context)
const ids: string[] = handle.lineIds()
const maybeLine: PricingLine | undefined = handle.line('a')
const lazy: kassa.pricing.PricedCart = pricer.price(handle)
const fromPlain: kassa.pricing.PricedCart = pricerFromText.price({ lines: input.lines, context: input.context })
const total: Money = lazy.grandTotal
const currency: string = lazy.currency
const count: number = lazy.lineCount
const l0: kassa.pricing.PricedLine | undefined = lazy.line(0)
const net: string | undefined = l0?.net.amount
const taxes: string[] = lazy.lines.map((l) => l.tax.amount)
const whole: PricedCart = lazy.toJSON()
const text: string = fromPlain.toJSONString()
const copy: kassa.pricing.PricingCart = handle.copy()
// @ts-expect-error a PricedCart comes from Pricer.price
new kassa.pricing.PricedCart()
// @ts-expect-error quantities are numbers
handle.setQuantity('a', '3')
// @ts-expect-error the rules' tax rate is a decimal string
new kassa.pricing.Pricer({ taxRules: [{ id: 'de', region: 'DE', taxClass: 'standard', rate: 0.19 }] })

void [first, rounded, grand, anything, ops, engineExample, ids, maybeLine, total, currency, count, net, taxes, whole, text, copy]
