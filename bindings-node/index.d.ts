/* eslint-disable */
// GENERATED: the header of index.d.ts (scripts/gen-types.js + types/api.d.ts); `napi build` appends the native exports.

import type {
  AccessAuthorizeInput,
  AccessAuthorizeOutput,
  AccessAuthorizeRequest,
  AccessPrincipal,
  AdjustRequest,
  AdjustResult,
  Adjustment,
  AdjustmentChange,
  AdjustmentReason,
  Alignment,
  AllocateRequest,
  AnnealSettings,
  AppliedPromotion,
  ApplyEventRequest,
  ApplyEventResult,
  ApplyRequest,
  ApplyTrackingRequest,
  ApplyTrackingResult,
  Argon2Params,
  AttemptOutcome,
  AuditEntry,
  AuthConfig,
  AuthSetup,
  AuthorizeResponse,
  Availability,
  BillingAction,
  BillingConfig,
  BillingCoupon,
  BillingDunningStepInput,
  BillingDunningStepOutput,
  BillingInvoiceInput,
  BillingInvoiceOutput,
  BillingPeriodAtInput,
  BillingPeriodAtOutput,
  BillingPeriodsInput,
  BillingPeriodsOutput,
  BillingProrateInput,
  BillingProrateOutput,
  BillingTransitionInput,
  BillingTransitionOutput,
  BillingTransitionRequest,
  BillingUsageChargeInput,
  BillingUsageChargeOutput,
  Cart,
  CartApplyInput,
  CartApplyOutput,
  CartCheckStockInput,
  CartCheckStockOutput,
  CartLine,
  CartMergeInput,
  CartMergeOutput,
  CartOp,
  CartPricingLinesInput,
  CartPricingLinesOutput,
  CartRules,
  CatalogData,
  CatalogQueryInput,
  CatalogQueryOutput,
  CatalogRelatedInput,
  CatalogRelatedOutput,
  CatalogResolvePriceInput,
  CatalogResolvePriceOutput,
  CatalogStats,
  CatalogValidateImageInput,
  CatalogValidateImageOutput,
  CatalogValidateInput,
  CatalogValidateOutput,
  Category,
  CheckStockRequest,
  ClassicalChoice,
  Conditions,
  Convergence,
  Coupon,
  CouponOutcome,
  Currency,
  CurrencyCode,
  DecimalString,
  Decision,
  DenyReason,
  DroppedLine,
  DunningPolicy,
  DunningRequest,
  DunningStep,
  EndpointClass,
  EngineConfig,
  EnginePrincipal,
  EoqInput,
  EoqResult,
  ErrorCode,
  EstimateRequest,
  Estimates,
  Estimator,
  EventEffect,
  FactsInput,
  FinalAction,
  ForecastHoltWintersInput,
  ForecastHoltWintersOutput,
  ForecastRequest,
  ForecastResponse,
  Frontier,
  FrontierPoint,
  FrontierRequest,
  FulfillmentOp,
  FulfillmentProgress,
  FulfillmentStatus,
  GatewayEvent,
  GatewayEventKind,
  GatewayOutcome,
  GatewayResponse,
  Grant,
  GroupCap,
  Gtin,
  GtinKind,
  HealthStatus,
  HistoryEntry,
  HostAuthSetupField,
  HostBillingSetupField,
  IdentityNormalizeEmailInput,
  IdentityNormalizeEmailOutput,
  IdentityValidateRegistrationInput,
  IdentityValidateRegistrationOutput,
  ImageFormat,
  ImageInfo,
  ImageMeta,
  ImageRules,
  InMemorySetup,
  Initialization,
  Interval,
  InventoryAdjustInput,
  InventoryAdjustOutput,
  InventoryEoqInput,
  InventoryEoqOutput,
  InventoryGtinInput,
  InventoryGtinOutput,
  InventoryMinMaxInput,
  InventoryMinMaxOutput,
  InventoryReorderPointInput,
  InventoryReorderPointOutput,
  InventoryReorderRunInput,
  InventoryReorderRunOutput,
  InventorySSInput,
  InventorySSOutput,
  InvoiceComputation,
  InvoiceInput,
  InvoiceLine,
  IsoDateTime,
  LineDiscount,
  LineDiscounts,
  LineInput,
  LineKind,
  LowStockAlert,
  Machine,
  MergeOutcome,
  MergePolicy,
  MergeRequest,
  MinMaxInput,
  Money,
  MoneyAllocateInput,
  MoneyAllocateOutput,
  MoneyRoundInput,
  MoneyRoundOutput,
  NormalizeEmailRequest,
  Objective,
  OpenSetup,
  OptimizeEfficientReturnInput,
  OptimizeEfficientReturnOutput,
  OptimizeEfficientRiskInput,
  OptimizeEfficientRiskOutput,
  OptimizeEstimateInput,
  OptimizeEstimateOutput,
  OptimizeFrontierInput,
  OptimizeFrontierOutput,
  OptimizeMaxSharpeInput,
  OptimizeMaxSharpeOutput,
  OptimizeMinVarianceInput,
  OptimizeMinVarianceOutput,
  OptimizeQuboExactInput,
  OptimizeQuboExactOutput,
  OptimizeScenarioInput,
  OptimizeScenarioOutput,
  OptimizeSelectInput,
  OptimizeSelectOutput,
  OptimizeVarInput,
  OptimizeVarOutput,
  Order,
  OrderCheckTransitionInput,
  OrderCheckTransitionOutput,
  OrderDecision,
  OrderFilter,
  OrderLine,
  OrderStatus,
  OrderTotals,
  OrderTransitionRequest,
  OrderedQuantity,
  OutboxEvent,
  Page,
  PageRequest,
  Pagination,
  PasswordPolicy,
  Payment,
  PaymentApplyEventInput,
  PaymentApplyEventOutput,
  PaymentCheckRefundInput,
  PaymentCheckRefundOutput,
  PaymentPaymentAttempt,
  PaymentStatus,
  Period,
  PeriodAtRequest,
  PeriodSchedule,
  PeriodsRequest,
  PortHealth,
  PortfolioConstraints,
  PortfolioProblem,
  PortfolioResult,
  PortsAuthorizeRequest,
  Price,
  PriceContext,
  PriceObservation,
  PriceScope,
  PriceTable,
  PriceTier,
  PricedCart,
  PricedLine,
  PricedShipping,
  PricingAction,
  PricingCart,
  PricingContext,
  PricingInput,
  PricingLine,
  PricingLinesRequest,
  PricingPriceCartInput,
  PricingPriceCartOutput,
  PricingRules,
  Product,
  ProductQuery,
  ProductSummary,
  Promotion,
  Proration,
  ProrationInput,
  ProrationRounding,
  PsdPolicy,
  PurchaseOrder,
  PurchaseOrderDraft,
  PurchaseOrderDraftLine,
  PurchaseOrderHistoryEntry,
  PurchaseOrderLine,
  PurchaseOrderStatus,
  QuboAnswer,
  QuboSpec,
  QueryRequest,
  Quota,
  RateLimitConfig,
  RateLimitDecision,
  RatelimitSequenceInput,
  RatelimitSequenceOutput,
  RealtimeEnvelope,
  Receipt,
  ReceiveLine,
  ReceiveOp,
  ReceiveOutcome,
  ReceiveRequest,
  Refund,
  RefundCheckRequest,
  RefundCheckResult,
  RefundLine,
  Registration,
  RejectedPromotion,
  RejectionReason,
  RelatedRequest,
  ReorderItem,
  ReorderPointInput,
  ReorderPointResult,
  ReorderPolicy,
  ReorderReason,
  ReorderRunInput,
  ReorderRunResult,
  ReorderSuggestion,
  ResolvePriceRequest,
  ResolvedPrice,
  Resource,
  ReturnKind,
  RiskMeasure,
  RoleDef,
  RoundRequest,
  RoundedPoint,
  RoundingMode,
  RoundingSettings,
  ScenarioRequest,
  ScenarioResult,
  ScenarioSide,
  ScriptedRequest,
  Seasonality,
  SelectionRequest,
  SelectionResult,
  SequenceRequest,
  SequenceStep,
  Shipment,
  ShipmentLine,
  ShipmentProgress,
  ShipmentStatus,
  ShippingCalculation,
  ShippingRate,
  Shock,
  SmoothingSettings,
  SolveSettings,
  SolverKind,
  SortKey,
  SsInput,
  StackingPolicy,
  StockLevel,
  StockSeed,
  Subject,
  SubscriptionStatus,
  Supplier,
  SupplyApplyTrackingInput,
  SupplyApplyTrackingOutput,
  SupplyFulfillmentProgressInput,
  SupplyFulfillmentProgressOutput,
  SupplyReceiveInput,
  SupplyReceiveOutput,
  SupplyTransitionInput,
  SupplyTransitionOutput,
  Target,
  TargetRequest,
  TaxAmount,
  TaxRoundingLevel,
  TaxRule,
  Tier,
  TierBasis,
  TierCharge,
  Totals,
  TrackingApplication,
  TrackingEvent,
  TransitionAllowed,
  TransitionOp,
  TransitionResult,
  Trend,
  UsageCharge,
  UsageMode,
  UsagePricing,
  UsageRequest,
  UsageTier,
  ValidRegistration,
  ValidateImageRequest,
  ValidateRegistrationRequest,
  VarMethod,
  VarReport,
  VarRequest,
  Variant,
  WeightTier,
} from './types/domain'
export * from './types/domain'

// ---- hand-written part of the header (types/api.d.ts): errors and the generic call ----

/** One problem with one input field. */
export interface FieldError {
  /** Path of the field, e.g. "items[2].quantity". */
  field: string
  message: string
}

/** The seed's error envelope. */
export interface ErrorEnvelope {
  success: false
  error: { code: ErrorCode; message: string; details: FieldError[] }
}

interface KassaErrorInit {
  code?: ErrorCode
  details?: FieldError[]
  meta?: Record<string, unknown>
  cause?: unknown
}

/** Every error Kassa raises, except `KassaTypeError` (a `TypeError`). */
export declare class KassaError extends Error {
  constructor(message: string, init?: KassaErrorInit)
  readonly code: ErrorCode
  readonly details: FieldError[]
  readonly meta: Record<string, unknown>
  readonly httpStatus: number
  toEnvelope(): ErrorEnvelope
  toJSON(): { code: ErrorCode; message: string; details: FieldError[]; meta: Record<string, unknown> }
}
export declare class ValidationError extends KassaError {}
export declare class UnauthenticatedError extends KassaError {}
export declare class ForbiddenError extends KassaError {}
export declare class NotFoundError extends KassaError {}
export declare class ConflictError extends KassaError {}
export declare class OutOfStockError extends KassaError {}
export declare class PaymentDeclinedError extends KassaError {}
export declare class RateLimitedError extends KassaError {}
export declare class UnavailableError extends KassaError {}
export declare class InternalError extends KassaError {}
/** `UNSUPPORTED` (501): not in this build (`meta.feature` names the cargo feature that is off);
 * the Node addon has every feature, so it does not throw this. */
export declare class UnsupportedError extends KassaError {}

/** A JS value of the wrong JS type, e.g. a number where money (a decimal string) is expected. */
export declare class KassaTypeError extends TypeError {
  constructor(message: string, init?: Omit<KassaErrorInit, 'code'>)
  readonly code: 'VALIDATION_ERROR'
  readonly details: FieldError[]
  readonly meta: Record<string, unknown>
  readonly httpStatus: 400
  toEnvelope(): ErrorEnvelope
}

/** The error class per code. */
export declare const ERROR_CLASSES: Readonly<Record<ErrorCode, typeof KassaError>>
/** Whether `e` was raised by Kassa. */
export declare function isKassaError(e: unknown): e is KassaError | KassaTypeError

/** Operation name → request type, for the generic `call`. */
export interface OperationInputs {
  [op: string]: unknown
}
/**
 * Runs one pure operation (see `operations()`) on a request in the serde form.
 * @throws KassaError subclasses, KassaTypeError
 */
export declare function call<R = unknown>(op: string, request: unknown): R


/** A value, or a Promise of it: what a JS port method may return. */
export type MaybePromise<T> = T | Promise<T>

/** A payment gateway implemented in JS (e.g. calling a real provider). */
export interface PaymentGatewayPort {
  authorize(request: PortsAuthorizeRequest): MaybePromise<GatewayResponse>
  capture(idempotencyKey: string, gatewayRef: string, amount: Money): MaybePromise<GatewayResponse>
  void(idempotencyKey: string, gatewayRef: string): MaybePromise<GatewayResponse>
  refund(idempotencyKey: string, gatewayRef: string, amount: Money): MaybePromise<GatewayResponse>
  health?(): MaybePromise<PortHealth>
}

/** An outbox sink implemented in JS (a queue, an email service). */
export interface EventSinkPort {
  publish(event: OutboxEvent): MaybePromise<void>
  health?(): MaybePromise<PortHealth>
}

/** An order store implemented in JS (e.g. on the host's database client). */
export interface OrderStorePort {
  /** Stores a new order; `CONFLICT` (throw a ConflictError) when the id exists. */
  insert(order: Order): MaybePromise<Order>
  get(id: string): MaybePromise<Order | null>
  getByNumber(number: string): MaybePromise<Order | null>
  /** Replaces the stored order when its version is the one before `order.version`. */
  compareAndSet(order: Order): MaybePromise<Order>
  list(filter: OrderFilter, page: PageRequest): MaybePromise<Page<Order>>
  nextNumber(): MaybePromise<number>
  health?(): MaybePromise<PortHealth>
}

/** The ports a JS host may implement; the others are the embedded defaults. */
export interface JsPorts {
  gateway?: PaymentGatewayPort
  events?: EventSinkPort
  orders?: OrderStorePort
}

/** Methods each JS port must have. */
export declare const PORT_METHODS: Readonly<Record<keyof JsPorts, readonly string[]>>

/**
 * Options of `Engine.open` (all optional): the connection settings of the database adapter
 * and the payment gateway.
 */
export interface EngineOpenOptions {
  /** PostgreSQL schema for the tables, created if missing (letters, digits and `_`). */
  schema?: string
  /** PostgreSQL pool size per process (default 10; SQLite always uses one connection). */
  maxConnections?: number
  /** Seconds to wait for a connection, also when opening (default 5); then `UNAVAILABLE`. */
  acquireTimeoutSeconds?: number
  /** Seconds an in-progress idempotency claim blocks its key (default 60). */
  idempotencyLockTimeoutSeconds?: number
  /** SQLite: seconds to wait for another process's write lock (default 5). */
  sqliteBusyTimeoutSeconds?: number
  /** The payment provider as a JS port (default: the sandbox gateway, for development). */
  gateway?: PaymentGatewayPort
}

/** An engine operation taking a request and resolving to its result. */
export type EngineCall = <R = any>(request?: Record<string, unknown>) => Promise<R>

/**
 * The checkout engine. Every call returns a Promise and rejects with a `KassaError`
 * subclass. Namespaced helpers mirror `Engine.operations()`: `engine.cart.add(request)` is
 * `engine.call('cart.add', request)`.
 */
export declare class Engine {
  private constructor()
  /** The embedded defaults: in-memory stores, sandbox gateway, manual clock. */
  static inMemory(setup?: InMemorySetup): Engine
  /** The embedded defaults with some ports implemented in JS. */
  static withPorts(setup: InMemorySetup, ports: JsPorts): Engine
  /**
   * The engine on a database: `postgres://...`, `postgresql://...`, `sqlite://path` or
   * `sqlite::memory:`. `setup.catalog`, `rules` and `stock` are loaded only into a fresh
   * database. Rejects with `ValidationError` (bad URL, option or setup) or
   * `UnavailableError` (the database cannot be reached in time).
   */
  static open(url: string, setup?: OpenSetup, options?: EngineOpenOptions): Promise<Engine>
  /** Whether the engine runs on a database (`Engine.open`) rather than in memory. */
  readonly persistent: boolean
  /** Closes the database pool of an opened engine; later calls reject with `UnavailableError`. */
  close(): Promise<void>
  /** Every engine operation name. */
  static operations(): string[]
  /** Runs one engine operation. */
  call<R = any>(op: string, request?: Record<string, unknown>): Promise<R>
  health: EngineCall
  catalog: Record<'browse' | 'createProduct' | 'updateProduct' | 'pricingRules' | 'setPricingRules', EngineCall>
  inventory: Record<'availability' | 'setStock' | 'sweepReservations', EngineCall>
  cart: Record<'create' | 'get' | 'add' | 'setQuantity' | 'remove', EngineCall>
  checkout: Record<'quote' | 'run', EngineCall>
  order: Record<'get' | 'mine' | 'history' | 'cancel' | 'refund' | 'updateStatus', EngineCall>
  payment: Record<'capture' | 'gatewayEvent', EngineCall>
  admin: Record<'dashboard', EngineCall>
  notify: Record<'render', EngineCall>
  auth: Record<'register' | 'resendVerification' | 'verifyEmail' | 'login' | 'refresh' | 'logout' | 'logoutEverywhere' | 'authenticate' | 'forgotPassword' | 'resetPassword', EngineCall>
  memory: Record<'now' | 'setClock' | 'advanceClock' | 'drainEvents', EngineCall>
}

// ---- generated part of the native exports (napi build) follows ----

// ---- pricing with the rules and the cart held natively (pricer.js) ----

// The domain shapes under names the `pricing` namespace below does not shadow.
type PricingCartInput = PricingCart
type PricedCartResult = PricedCart
type PricedLineResult = PricedLine

/**
 * Pricing with the rules and the cart held on the Rust side, and results converted where
 * they are read (docs/node.md, "Holding rules and carts natively"). Errors are `KassaError`
 * subclasses (or `KassaTypeError`), as everywhere in the package.
 */
export declare namespace pricing {
  /**
   * The pricing rules (promotions, coupons, tax rules, shipping rates, rounding, stacking),
   * decoded once and kept natively. `price(cart)` gives exactly what `pricing.priceCart` gives
   * for the same rules and cart, including the errors and their field paths.
   */
  export class Pricer {
    /** @param rules the rules, or their JSON text; every field is optional. */
    constructor(rules?: PricingRules | string)
    /**
     * Prices a cart: a `PricingCart` handle (nothing of it is converted), a plain cart object,
     * or its JSON text.
     */
    price(cart: PricingCart | PricingCartInput | string): PricedCart
    /** The rules, as a plain object (defaults filled in). */
    readonly rules: Required<PricingRules>
  }

  /**
   * A cart kept natively between requests and changed by whole operations. A change checks
   * the shape of its arguments and leaves the cart unchanged when it fails; the pricing rules
   * (quantity at least 1, one currency) are checked by `Pricer.price`.
   */
  export class PricingCart {
    /** @param cart `{ lines, couponCodes?, shippingMethod?, context }`, or its JSON text. */
    constructor(cart: PricingCartInput | string)
    /** Adds `line`, or replaces the line with the same `lineId` in place. */
    setLine(line: PricingLine): this
    /** Sets the quantity of a line; `NotFoundError` when no line has the id. */
    setQuantity(lineId: string, quantity: number): this
    /** Removes a line; `NotFoundError` when no line has the id. */
    removeLine(lineId: string): this
    /** Replaces the entered coupon codes. */
    setCouponCodes(couponCodes: string[]): this
    /** Chooses a shipping rate by id; `null`: the cheapest available rate. */
    setShippingMethod(shippingMethod: string | null | undefined): this
    /** Replaces the context (region, currency, customer, now). */
    setContext(context: PricingContext): this
    /** How many lines the cart has. */
    readonly lineCount: number
    /** The line ids, in order. */
    lineIds(): string[]
    /** One line as a plain object, or `undefined`. */
    line(lineId: string): PricingLine | undefined
    /** An independent copy. */
    copy(): PricingCart
    /** The cart as a plain object (defaults filled in). */
    toJSON(): PricingCartInput
    /** The cart as JSON text. */
    toJSONString(): string
  }

  /**
   * The result of `Pricer.price`, held natively. Each total is a fresh `Money` on each read;
   * `toJSON()` is exactly what `pricing.priceCart` returns.
   */
  export class PricedCart {
    private constructor()
    /** The cart's currency code: every amount of the result is in it. */
    readonly currency: CurrencyCode
    readonly subtotal: Money
    readonly discountTotal: Money
    readonly shippingTotal: Money
    readonly taxTotal: Money
    readonly taxIncluded: Money
    readonly taxAdded: Money
    readonly totalExcludingTax: Money
    readonly grandTotal: Money
    /** All totals as one object. */
    readonly totals: Totals
    /** The shipping, or `null` when the cart does not ship. */
    readonly shipping: PricedShipping | null
    readonly taxes: TaxAmount[]
    readonly appliedPromotions: AppliedPromotion[]
    readonly rejectedPromotions: RejectedPromotion[]
    readonly coupons: CouponOutcome[]
    /** How many lines (as many as the cart's, in the same order). */
    readonly lineCount: number
    /** Line `index` (0-based), or `undefined` past the end. */
    line(index: number): PricedLine | undefined
    /** Every line. */
    readonly lines: PricedLine[]
    /** The whole result as a plain object: what `pricing.priceCart` returns. */
    toJSON(): PricedCartResult
    /** The whole result as JSON text: what `callJson('pricing.price_cart', …)` returns. */
    toJSONString(): string
  }

  /**
   * One line of a `PricedCart`, converted where read: reading a field of one line converts
   * that field of every line once.
   */
  export class PricedLine {
    private constructor()
    /** Position in the cart (0-based). */
    readonly index: number
    readonly lineId: string
    readonly quantity: number
    readonly unitPrice: Money
    readonly subtotal: Money
    readonly discounts: LineDiscount[]
    readonly discountTotal: Money
    readonly net: Money
    readonly taxInclusive: boolean
    /** The tax rate as a decimal string fraction (`'0.19'`). */
    readonly taxRate: DecimalString
    readonly tax: Money
    readonly total: Money
    /** The line as a plain object: the element of `PricedCart.toJSON().lines`. */
    toJSON(): PricedLineResult
  }
}

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** The engine behind `kassa.Engine` (use that class; this one speaks JSON text). */
export declare class NativeEngine {
  /**
   * The embedded defaults (in-memory stores, sandbox gateway, manual clock) from a JSON
   * setup (`{}` gives the sample catalog).
   */
  static inMemory(setup: string): NativeEngine
  /**
   * The embedded defaults with the ports named in `ports` implemented in JS through
   * `dispatch` (`(port, method, argsJson) => Promise<string>`).
   */
  static withJsPorts(setup: string, ports: JsPortNames, dispatch: (arg0: string, arg1: string, arg2: string) => Promise<string>): NativeEngine
  /**
   * An engine on the database at `url` (`postgres://`, `postgresql://`, `sqlite://path`,
   * `sqlite::memory:`), resolved once connected and migrated: `setup` is the JSON of an
   * `OpenSetup` (catalog, rules and stock loaded into a fresh database only; engine,
   * auth, billing settings), `options` the JSON of `kassa_sql::UrlOptions` (schema, pool
   * size, timeouts). With `dispatch`, the payment gateway is the JS `gateway` port (as in
   * `withJsPorts`); without it, the sandbox gateway. The pool runs on napi's tokio
   * runtime, like every engine call.
   */
  static open(url: string, setup: string, options: string, dispatch?: ((arg0: string, arg1: string, arg2: string) => Promise<string>) | undefined | null): Promise<NativeEngine>
  /**
   * Closes the database pool of an engine opened by URL (waits for calls in flight);
   * later calls fail with `UNAVAILABLE`. Resolves at once for an in-memory engine.
   */
  close(): Promise<void>
  /** Whether the engine runs on a database (opened by URL) rather than in memory. */
  get persistent(): boolean
  /** Every engine operation name. */
  static operations(): Array<string>
  /**
   * Runs one engine operation on JSON text; resolves to the JSON text of the result.
   * (Panics inside the future are caught below and become `INTERNAL`.)
   */
  call(op: string, request: string): Promise<string>
}

/**
 * The result behind `kassa.pricing.PricedCart` (use that class): the Rust `PricedCart`,
 * converted only where it is read.
 *
 * Amounts cross as their decimal strings only; the JS layer adds the cart's currency (every
 * amount of a priced cart is in it) when it builds the `{ amount, currency }` object, which
 * is cheaper than building the object through Node-API. The lines' amounts cross a column at
 * a time ([`line_column`](NativePricedCart::line_column)): one call for a field of every line.
 *
 * The memory it holds is reported to V8 (`napi_adjust_external_memory`) while it lives, so
 * the garbage collector sees results piling up and collects them; the JS wrapper alone is a
 * few bytes.
 */
export declare class NativePricedCart {
  /** The cart's currency code (the currency of every amount of the result). */
  get currency(): string
  /**
   * The amount (decimal string) of one of the totals, by its JSON name: `grandTotal`,
   * `subtotal`, `discountTotal`, `shippingTotal`, `taxTotal`, `taxIncluded`, `taxAdded`,
   * `totalExcludingTax`.
   */
  totalAmount(name: string): string
  /** How many priced lines there are (as many as the cart's lines, in the same order). */
  get lineCount(): number
  /**
   * One field of every line, in line order, separated by single spaces: the amounts
   * (decimal strings) of `unitPrice`, `subtotal`, `discountTotal`, `net`, `tax` or
   * `total`, or `taxRate` (decimal string), or `quantity`. None of these texts contains a
   * space.
   */
  lineColumn(field: string): string
  /** The id of line `index`. */
  lineId(index: number): string
  /** Whether the prices of line `index` include tax. */
  lineTaxInclusive(index: number): boolean
  /** The discounts of line `index` as JSON text. */
  lineDiscountsJson(index: number): string
  /** Line `index` as JSON text. */
  lineJson(index: number): string
  /**
   * One top-level part of the result as JSON text, by its JSON name: `lines`, `shipping`,
   * `taxes`, `totals`, `appliedPromotions`, `rejectedPromotions` or `coupons`.
   */
  partJson(part: string): string
  /** The whole result as JSON text: exactly what `pricing.price_cart` returns. */
  toJSONString(): string
}

/** The rules behind `kassa.pricing.Pricer` (use that class; this one speaks JSON text). */
export declare class NativePricer {
  /**
   * A pricer for the rules in `rules` (JSON text of `PricingRules`: promotions, coupons,
   * taxRules, shippingRates, rounding, stacking; every field optional).
   */
  constructor(rules: string)
  /** Prices a cart held natively: nothing of the cart is converted. */
  price(cart: NativePricingCart): NativePricedCart
  /**
   * Prices a cart given as JSON text (`PricingCart`: lines, couponCodes, shippingMethod,
   * context).
   */
  priceJson(cart: string): NativePricedCart
  /** The rules as JSON text. */
  rulesJson(): string
}

/**
 * The cart behind `kassa.pricing.PricingCart` (use that class; this one speaks JSON text).
 * Every change is checked for its shape (types, decimal strings, currency codes) and leaves
 * the cart unchanged when it fails; the pricing rules (quantity at least 1, one currency, ...)
 * are checked when the cart is priced, with the field path of the line.
 */
export declare class NativePricingCart {
  /** A cart from JSON text (`PricingCart`). */
  constructor(cart: string)
  /** Adds the line of `{"line": ...}`, or replaces the line with the same `lineId` in place. */
  setLine(args: string): void
  /**
   * Sets the quantity of a line: `{"lineId": ..., "quantity": n}`; `NOT_FOUND` when no line
   * has the id.
   */
  setQuantity(args: string): void
  /** Removes a line: `{"lineId": ...}`; `NOT_FOUND` when no line has the id. */
  removeLine(args: string): void
  /** Replaces the entered coupon codes: `{"couponCodes": [...]}`. */
  setCouponCodes(args: string): void
  /** Sets or clears the chosen shipping rate: `{"shippingMethod": "express" | null}`. */
  setShippingMethod(args: string): void
  /** Replaces the context (region, currency, customer, now): `{"context": {...}}`. */
  setContext(args: string): void
  /** How many lines the cart has. */
  get lineCount(): number
  /** The line ids, in order. */
  lineIds(): Array<string>
  /** One line as JSON text (`null` when no line has the id). */
  lineJson(lineId: string): string
  /** An independent copy of the cart. */
  copy(): NativePricingCart
  /** The whole cart as JSON text (the serde form it was built from, defaults filled in). */
  toJSONString(): string
}

/**
 * Test hook: panics inside the native module with `message`, to show that a Rust panic is
 * an `INTERNAL` error in JS and never aborts the process. Not part of the public API.
 */
export declare function __panicForTest(message: string): string

/**
 * The generic entry point: runs the pure domain operation `op` (one of `operations()`) on
 * the JSON text `request` and returns the JSON text of the result.
 */
export declare function callJson(op: string, request: string): string

/** One error code and the HTTP status a host should answer with. */
export interface ErrorCodeInfo {
  /** The stable code, e.g. `VALIDATION_ERROR`. */
  code: string
  /** The HTTP status, e.g. 400. */
  httpStatus: number
}

/** Every error code Kassa can return, with its HTTP status. */
export declare function errorCodes(): Array<ErrorCodeInfo>

/** Which ports the JS side implements. */
export interface JsPortNames {
  /** A payment gateway (`authorize`, `capture`, `void`, `refund`, `health`). */
  gateway: boolean
  /** An event sink (`publish`, `health`). */
  events: boolean
  /**
   * An order store (`insert`, `get`, `getByNumber`, `compareAndSet`, `list`,
   * `nextNumber`, `health`).
   */
  orders: boolean
}

/** Every operation name `callJson` accepts, in a stable order. */
export declare function operations(): Array<string>

export declare namespace access {
  export function authorize(request: AccessAuthorizeInput): AccessAuthorizeOutput
}

export declare namespace billing {
  export function dunningStep(request: BillingDunningStepInput): BillingDunningStepOutput
  export function invoice(request: BillingInvoiceInput): BillingInvoiceOutput
  export function periodAt(request: BillingPeriodAtInput): BillingPeriodAtOutput
  export function periods(request: BillingPeriodsInput): BillingPeriodsOutput
  export function prorate(request: BillingProrateInput): BillingProrateOutput
  export function transition(request: BillingTransitionInput): BillingTransitionOutput
  export function usageCharge(request: BillingUsageChargeInput): BillingUsageChargeOutput
}

export declare namespace cart {
  export function apply(request: CartApplyInput): CartApplyOutput
  export function checkStock(request: CartCheckStockInput): CartCheckStockOutput
  export function merge(request: CartMergeInput): CartMergeOutput
  export function pricingLines(request: CartPricingLinesInput): CartPricingLinesOutput
}

export declare namespace catalog {
  export function query(request: CatalogQueryInput): CatalogQueryOutput
  export function related(request: CatalogRelatedInput): CatalogRelatedOutput
  export function resolvePrice(request: CatalogResolvePriceInput): CatalogResolvePriceOutput
  export function validate(request: CatalogValidateInput): CatalogValidateOutput
  export function validateImage(request: CatalogValidateImageInput): CatalogValidateImageOutput
}

export declare namespace forecast {
  export function holtWinters(request: ForecastHoltWintersInput): ForecastHoltWintersOutput
}

export declare namespace identity {
  export function normalizeEmail(request: IdentityNormalizeEmailInput): IdentityNormalizeEmailOutput
  export function validateRegistration(request: IdentityValidateRegistrationInput): IdentityValidateRegistrationOutput
}

export declare namespace inventory {
  export function adjust(request: InventoryAdjustInput): InventoryAdjustOutput
  export function eoq(request: InventoryEoqInput): InventoryEoqOutput
  export function gtin(request: InventoryGtinInput): InventoryGtinOutput
  export function minMax(request: InventoryMinMaxInput): InventoryMinMaxOutput
  export function reorderPoint(request: InventoryReorderPointInput): InventoryReorderPointOutput
  export function reorderRun(request: InventoryReorderRunInput): InventoryReorderRunOutput
  export function sS(request: InventorySSInput): InventorySSOutput
}

export declare namespace money {
  export function allocate(request: MoneyAllocateInput): MoneyAllocateOutput
  export function round(request: MoneyRoundInput): MoneyRoundOutput
}

export declare namespace optimize {
  export function efficientReturn(request: OptimizeEfficientReturnInput): OptimizeEfficientReturnOutput
  export function efficientRisk(request: OptimizeEfficientRiskInput): OptimizeEfficientRiskOutput
  export function estimate(request: OptimizeEstimateInput): OptimizeEstimateOutput
  export function frontier(request: OptimizeFrontierInput): OptimizeFrontierOutput
  export function maxSharpe(request: OptimizeMaxSharpeInput): OptimizeMaxSharpeOutput
  export function minVariance(request: OptimizeMinVarianceInput): OptimizeMinVarianceOutput
  export function quboExact(request: OptimizeQuboExactInput): OptimizeQuboExactOutput
  export function scenario(request: OptimizeScenarioInput): OptimizeScenarioOutput
  export function select(request: OptimizeSelectInput): OptimizeSelectOutput
  export function valueAtRisk(request: OptimizeVarInput): OptimizeVarOutput
}

export declare namespace order {
  export function checkTransition(request: OrderCheckTransitionInput): OrderCheckTransitionOutput
}

export declare namespace payment {
  export function applyEvent(request: PaymentApplyEventInput): PaymentApplyEventOutput
  export function checkRefund(request: PaymentCheckRefundInput): PaymentCheckRefundOutput
}

export declare namespace pricing {
  export function priceCart(request: PricingPriceCartInput): PricingPriceCartOutput
}

export declare namespace ratelimit {
  export function sequence(request: RatelimitSequenceInput): RatelimitSequenceOutput
}

export declare namespace supply {
  export function applyTracking(request: SupplyApplyTrackingInput): SupplyApplyTrackingOutput
  export function fulfillmentProgress(request: SupplyFulfillmentProgressInput): SupplyFulfillmentProgressOutput
  export function receive(request: SupplyReceiveInput): SupplyReceiveOutput
  export function transition(request: SupplyTransitionInput): SupplyTransitionOutput
}
