// Type-checked (tsc --noEmit, strict) against the generated kassa.d.ts of the web build.
// The @ts-expect-error lines prove the declarations are real types, not `any`.
import init, {
  call, priceCart, allocateMoney, queryCatalog, applyCart, checkOrderTransition, efficientFrontier,
  authorize, rateLimitSequence, validateGtin, operations, errorCodes, callJson,
  type PricingInput, type PricedCart, type Money, type KassaError, type OperationName, type CartOp,
} from 'kassa-wasm';

export async function usage(): Promise<void> {
  await init();
  const input: PricingInput = {
    lines: [{ lineId: 'a', sku: 'TEE-M', productId: 'tee', quantity: 2, unitPrice: { amount: '20.00', currency: 'USD' } }],
    promotions: [{ id: 'p10', target: { type: 'order' }, action: { type: 'percent_off', percent: '10' } }],
    couponCodes: ['WELCOME'],
    context: { region: 'US', currency: 'USD', now: new Date() },
  };
  const priced: PricedCart = priceCart(input);
  const total: string = priced.totals.grandTotal.amount;
  const viaCall: PricedCart = call('pricing.price_cart', input);
  const parts: Money[] = allocateMoney({ amount: { amount: '1.00', currency: 'EUR' }, weights: ['1', '2'] });
  const page = queryCatalog({ catalog: { products: [] }, query: { text: 'tee', context: { currency: 'USD' } } });
  const firstName: string | undefined = page.items[0]?.name;
  const ops: CartOp[] = [{ op: 'add', sku: 'TEE-M', quantity: 1 }, { op: 'clear' }];
  const cart = applyCart({ catalog: {}, currency: 'USD', operations: ops });
  const t = checkOrderTransition({ machine: 'order', from: 'pending', to: 'confirmed' });
  const f = efficientFrontier({ problem: { expectedReturns: [0.1, 0.2], covariance: [[0.1, 0], [0, 0.2]] }, points: 5 });
  const d = authorize({ principal: { roles: ['customer'] }, action: 'order:read', resource: { kind: 'order' } });
  const steps = rateLimitSequence({ start: '2026-01-01T00:00:00Z', requests: [{ atMs: 0, class: 'auth', subject: { kind: 'client', id: 'ip' } }] });
  const g = validateGtin('4006381333931');
  const names: OperationName[] = operations();
  const http: number = errorCodes()[0].httpStatus;
  const text: string = callJson('money.round', '{}');
  try {
    priceCart(input);
  } catch (e) {
    const err = e as KassaError;
    const code: 'VALIDATION_ERROR' | 'NOT_FOUND' | string = err.code;
    const field: string | undefined = err.details[0]?.field;
    void code; void field;
  }
  void [total, viaCall, parts, firstName, cart.lines, t.terminal, f.points[0]?.volatility, d.decision.allowed,
    steps[0]?.retryAfterMs, g.kind, names, http, text];

  // @ts-expect-error money is a decimal string, never a number
  priceCart({ ...input, lines: [{ ...input.lines[0], unitPrice: { amount: 20, currency: 'USD' } }] });
  // @ts-expect-error unknown operation name
  call('pricing.price_carts', input);
  // @ts-expect-error the request type follows the operation
  call('money.round', input);
  // @ts-expect-error enum values are checked
  checkOrderTransition({ machine: 'orders', from: 'pending', to: 'confirmed' });
  // @ts-expect-error a cart op needs its fields
  applyCart({ catalog: {}, operations: [{ op: 'add', sku: 'x' }] });
  // @ts-expect-error results are typed: grandTotal is Money, not a number
  const n: number = priced.totals.grandTotal;
  void n;
}
