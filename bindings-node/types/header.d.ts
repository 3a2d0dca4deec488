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
