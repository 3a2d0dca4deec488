// ---- Kassa: the serde form of requests and results (docs/architecture.md, "Serde form") ----
// Money and bare decimals are strings ("12.30"); datetimes are ISO-8601 strings (a `Date`
// passed in is converted by its toJSON); enum values are snake_case strings.

/** A decimal number as a string, e.g. "12.30", "0.2", "-1". Never a JS number. */
export type Decimal = string;
/** An ISO 4217 currency code, e.g. "USD", "EUR", "JPY". */
export type Currency = string;
/** An RFC 3339 / ISO-8601 instant, e.g. "2026-05-01T12:00:00Z" (a `Date` is accepted as input). */
export type DateTime = string;
/** An amount in a currency: `{ amount: "12.30", currency: "USD" }`. */
export interface Money { amount: Decimal; currency: Currency }
export type RoundingMode = "half_even" | "half_up" | "half_down" | "up" | "down";

// ---- errors ----
export type ErrorCode =
  | "VALIDATION_ERROR" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT"
  | "OUT_OF_STOCK" | "PAYMENT_DECLINED" | "RATE_LIMITED" | "UNAVAILABLE" | "INTERNAL"
  /** The operation (or the engine, or template rendering) is not in this build of the module:
   * `meta.feature` names the cargo feature that is off (the size-budgeted `web` build has no
   * engine and only the storefront's operations; `web-full` has everything). */
  | "UNSUPPORTED";
export interface FieldError { field: string; message: string }
/** What every export throws: a real `Error` with `name === "KassaError"`. */
export interface KassaError extends Error {
  name: "KassaError";
  code: ErrorCode;
  httpStatus: number;
  details: FieldError[];
  meta: Record<string, unknown>;
  cause?: unknown;
}
export interface ErrorCodeInfo { code: ErrorCode; httpStatus: number }
/** A cargo feature a build of the module was compiled with (`features()`); an operation
 * whose family is missing throws `UNSUPPORTED`, and without `engine` `Engine.inMemory` does. */
export type BuildFeature =
  | "engine" | "engine-auth" | "engine-supply" | "engine-billing" | "templates" | "ops-money" | "ops-order" | "ops-catalog" | "ops-cart" | "ops-pricing"
  | "ops-inventory" | "ops-supply" | "ops-forecast" | "ops-optimize" | "ops-access" | "ops-identity"
  | "ops-ratelimit" | "ops-billing" | "sample-catalog";

// ---- money ----
export interface AllocateRequest { amount: Money; weights: Decimal[] }
export interface RoundRequest { amount: Money; mode: RoundingMode }

// ---- pages ----
export interface Pagination {
  page: number; pageSize: number; total: number; totalPages: number;
  hasNextPage: boolean; hasPreviousPage: boolean;
}
export interface Page<T> { items: T[]; pagination: Pagination }

// ---- catalog ----
export interface Category { id: string; name: string; slug: string; parentId?: string }
export interface ImageMeta { url: string; alt?: string; width?: number; height?: number }
export interface Price {
  amount: Money; region?: string; channel?: string; taxInclusive?: boolean; compareAt?: Money;
}
export interface Variant {
  sku: string; name?: string; options?: Record<string, string>; gtin?: string; barcode?: string;
  weightGrams?: number; prices?: Price[]; cost?: Money; active?: boolean;
}
export interface Product {
  id: string; name: string; slug: string; description?: string; categoryIds?: string[];
  active?: boolean; featured?: boolean; taxClass?: string; images?: ImageMeta[];
  createdAt: DateTime; variants: Variant[];
}
export interface CatalogData { categories?: Category[]; products?: Product[] }
export interface CatalogStats { categories: number; products: number; variants: number }
/** Units available per SKU. */
export type Availability = Record<string, number>;
export interface PriceContext { region?: string; channel?: string; currency: Currency }
export type PriceScope = "default" | "channel" | "region" | "region_channel";
export interface ResolvePriceRequest { catalog: CatalogData; sku: string; context: PriceContext }
export interface ResolvedPrice {
  sku: string; amount: Money; taxInclusive: boolean; compareAt?: Money; scope: PriceScope; cost?: Money;
}
export type SortKey = "relevance" | "price_asc" | "price_desc" | "newest" | "name";
export interface ProductQuery {
  text?: string; categoryId?: string; minPrice?: Money; maxPrice?: Money; inStock?: boolean;
  featured?: boolean; sort?: SortKey; page?: number; pageSize?: number; context: PriceContext;
}
export interface CatalogQueryRequest {
  catalog: CatalogData; query: ProductQuery; availability?: Availability; maxPageSize?: number;
}
export interface ProductSummary {
  id: string; slug: string; name: string; featured: boolean; categoryIds: string[]; sku: string;
  price: Money; taxInclusive: boolean; compareAt?: Money; image?: ImageMeta; inStock?: boolean;
  relevance: number;
}
export interface RelatedRequest { catalog: CatalogData; productId: string; context: PriceContext; limit?: number }
export type ImageFormat = "jpeg" | "png" | "webp" | "gif";
export interface ImageRules { allowed?: ImageFormat[]; maxBytes?: number; maxWidth?: number; maxHeight?: number }
export interface ValidateImageRequest { headerHex: string; totalBytes?: number; rules?: ImageRules }
export interface ImageInfo { format: ImageFormat; mimeType: string; width: number; height: number; bytes: number }

// ---- cart ----
export interface CartLine { lineId: string; sku: string; quantity: number }
export interface Cart { currency: Currency; lines?: CartLine[] }
export interface CartRules { maxQuantityPerLine?: number }
export type CartOp =
  | { op: "add"; sku: string; quantity: number; lineId?: string }
  | { op: "set_quantity"; lineId: string; quantity: number }
  | { op: "remove"; lineId: string }
  | { op: "clear" };
export interface CartApplyRequest {
  catalog: CatalogData; availability?: Availability; rules?: CartRules; cart?: Cart;
  currency?: Currency; operations: CartOp[];
}
export type MergePolicy = "sum" | "max" | "replace";
export interface CartMergeRequest {
  catalog: CatalogData; availability?: Availability; rules?: CartRules; customer: Cart; guest: Cart;
  policy: MergePolicy;
}
export interface DroppedLine { lineId: string; sku: string; reason: string }
export interface CartMergeOutcome { cart: Cart; capped: string[]; dropped: DroppedLine[] }
export interface CartPricingLinesRequest { catalog: CatalogData; cart: Cart; context: PriceContext }
export interface CheckStockRequest { cart: Cart; availability: Availability }

// ---- pricing ----
export interface PricingLine {
  lineId: string; sku: string; productId: string; categoryIds?: string[]; quantity: number;
  unitPrice: Money; taxInclusive?: boolean; taxClass?: string; weightGrams?: number; compareAt?: Money;
}
export interface Conditions {
  minSubtotal?: Money; minQuantity?: number; customerGroups?: string[]; startsAt?: DateTime;
  endsAt?: DateTime; couponRequired?: boolean; firstOrderOnly?: boolean;
}
export type Target =
  | { type: "order" }
  | { type: "products"; ids: string[] }
  | { type: "variants"; skus: string[] }
  | { type: "categories"; ids: string[] }
  | { type: "shipping" };
export type TierBasis = "quantity" | "spend";
export interface Tier { min: Decimal; percent: Decimal }
export type Action =
  | { type: "percent_off"; percent: Decimal }
  | { type: "amount_off"; amount: Money; perUnit?: boolean }
  | { type: "fixed_price"; unitPrice: Money }
  | { type: "buy_x_get_y"; buy: number; get: number; percent?: Decimal }
  | { type: "tiered"; basis: TierBasis; tiers: Tier[] }
  | { type: "free_shipping" };
export interface Promotion {
  id: string; name?: string; priority?: number; exclusive?: boolean; stopAfter?: boolean;
  conditions?: Conditions; target: Target; action: Action;
}
export interface Coupon {
  code: string; promotionId: string; usageLimit?: number; timesUsed?: number;
  perCustomerLimit?: number; customerTimesUsed?: number; startsAt?: DateTime; endsAt?: DateTime;
  minSpend?: Money;
}
export interface TaxRule { id: string; region: string; taxClass: string; rate: Decimal }
export interface WeightTier { maxGrams: number; price: Money }
export interface PriceTier { minSubtotal: Money; price: Money }
export type ShippingCalculation =
  | { type: "flat"; price: Money }
  | { type: "weight_tiers"; tiers: WeightTier[] }
  | { type: "price_tiers"; tiers: PriceTier[] };
export interface ShippingRate { id: string; regions?: string[]; calculation: ShippingCalculation; freeOver?: Money }
export interface PricingContext {
  region: string; currency: Currency; customerId?: string; customerGroups?: string[];
  firstOrder?: boolean; now: DateTime | Date;
}
export type TaxRoundingLevel = "per_unit" | "per_line" | "per_total";
export interface RoundingSettings {
  lineSubtotal?: RoundingMode; discount?: RoundingMode; tax?: RoundingMode; taxLevel?: TaxRoundingLevel;
}
export type StackingPolicy = "priority" | "best_deal";
export interface PricingInput {
  lines: PricingLine[]; promotions?: Promotion[]; couponCodes?: string[]; coupons?: Coupon[];
  taxRules?: TaxRule[]; shippingRates?: ShippingRate[]; shippingMethod?: string;
  context: PricingContext; rounding?: RoundingSettings; stacking?: StackingPolicy;
}
export interface LineDiscount { promotionId: string; amount: Money }
export interface PricedLine {
  lineId: string; quantity: number; unitPrice: Money; subtotal: Money; discounts: LineDiscount[];
  discountTotal: Money; net: Money; taxInclusive: boolean; taxRate: Decimal; tax: Money; total: Money;
}
export interface PricedShipping { rateId: string; price: Money; discounts: LineDiscount[]; discountTotal: Money; total: Money }
export interface TaxAmount { taxRuleId: string; rate: Decimal; taxable: Money; tax: Money }
export interface Totals {
  subtotal: Money; discountTotal: Money; shippingTotal: Money; taxTotal: Money; taxIncluded: Money;
  taxAdded: Money; totalExcludingTax: Money; grandTotal: Money;
}
export type RejectionReason =
  | "coupon_required" | "coupon_not_found" | "coupon_usage_limit_reached"
  | "coupon_customer_limit_reached" | "coupon_min_spend_not_met"
  | "coupon_promotion_already_unlocked" | "outside_date_window" | "customer_group_mismatch"
  | "first_order_only" | "min_subtotal_not_met" | "min_quantity_not_met" | "no_matching_lines"
  | "no_shipping" | "tier_not_reached" | "no_discount" | "excluded_by_exclusive_promotion"
  | "stopped_by_earlier_promotion" | "not_best_deal";
export interface AppliedPromotion { promotionId: string; amount: Money; couponCode?: string }
export interface RejectedPromotion { promotionId: string; reason: RejectionReason }
export interface CouponOutcome { code: string; promotionId?: string; applied: boolean; reason?: RejectionReason }
export interface PricedCart {
  currency: Currency; lines: PricedLine[]; shipping: PricedShipping | null; taxes: TaxAmount[];
  totals: Totals; appliedPromotions: AppliedPromotion[]; rejectedPromotions: RejectedPromotion[];
  coupons: CouponOutcome[];
}

// ---- orders and payments ----
export type Machine = "order" | "payment" | "fulfillment";
export type OrderStatus = "pending" | "confirmed" | "completed" | "cancelled";
export type PaymentStatus =
  | "pending" | "authorized" | "partially_captured" | "captured" | "partially_refunded"
  | "refunded" | "failed" | "voided";
export type FulfillmentStatus =
  | "unfulfilled" | "partially_fulfilled" | "fulfilled" | "partially_delivered" | "delivered" | "returned";
export interface OrderFacts {
  payment?: PaymentStatus; authorized?: number; captured?: number; refunded?: number;
  unitsTotal?: number; unitsShipped?: number; unitsDelivered?: number; unitsReturned?: number;
}
export interface OrderTransitionRequest { machine: Machine; from: string; to: string; facts?: OrderFacts }
export interface OrderTransitionAllowed { from: string; to: string; terminal: boolean }
export interface HistoryEntry { machine: Machine; from: string; to: string; actor: string; at: DateTime; reason: string }
export type AttemptOutcome =
  | { type: "in_flight" } | { type: "approved" } | { type: "declined"; code: string; message: string }
  | { type: "unknown" };
export interface PaymentAttempt {
  number: number; idempotencyKey: string; paymentToken: string; startedAt: DateTime; outcome: AttemptOutcome;
}
export interface Payment {
  status: PaymentStatus; amount: Money; authorized: Money; captured: Money; refunded: Money;
  gatewayRef?: string; attempts?: PaymentAttempt[]; appliedEvents?: string[];
}
export type GatewayEventKind =
  | { type: "authorized"; amount: Money }
  | { type: "captured"; totalCaptured: Money }
  | { type: "refunded"; totalRefunded: Money }
  | { type: "failed"; code: string; message: string }
  | { type: "voided" };
export type GatewayEvent = {
  eventId: string; orderId: string; gatewayRef?: string; occurredAt: DateTime;
} & GatewayEventKind;
export interface ApplyPaymentEventRequest { payment: Payment; event: GatewayEvent; actor: string; at: DateTime | Date }
export type EventEffect = "applied" | "duplicate" | "stale";
export interface ApplyPaymentEventResult { effect: EventEffect; payment: Payment; history: HistoryEntry[] }
export interface RefundCheckRequest { payment: Payment; amount: Money }
export interface RefundCheckResult { refunded: Money; refundable: Money }

// ---- inventory ----
export interface EoqInput { annualDemand: Decimal; orderingCost: Money; holdingCostPerUnit: Money }
export interface EoqResult { eoq: Decimal; orderQuantity: number }
export interface ReorderPointInput {
  demandPerPeriod: Decimal; demandStdDev: Decimal; leadTimePeriods: Decimal; serviceLevel: Decimal;
}
export interface ReorderPointResult {
  z: Decimal; leadTimeDemand: Decimal; safetyStock: Decimal; reorderPoint: Decimal; reorderLevel: number;
}
export type ReorderReason =
  | "at_or_below_reorder_point" | "at_or_below_min" | "at_or_below_s" | "above_trigger"
  | "raised_to_minimum_order_quantity" | "rounded_up_to_multiple";
export interface ReorderDecision { quantity: number; reasons: ReorderReason[] }
export interface MinMaxInput { projected: number; min: number; max: number; orderMultiple?: number; minimumOrderQuantity?: number }
export interface SsInput { position: number; s: number; S: number; orderMultiple?: number; minimumOrderQuantity?: number }
export interface Supplier { id: string; name?: string; leadTimeDays: number; minimumOrderQuantity?: number; currency: Currency }
export type ReorderPolicy =
  | { kind: "reorder_point"; reorderLevel: number; orderQuantity: number }
  | { kind: "min_max"; min: number; max: number }
  | { kind: "s_s"; s: number; S: number };
export interface ReorderItem {
  sku: string; location: string; onHand: number; reserved?: number; onOrder?: number;
  policy: ReorderPolicy; orderMultiple?: number; supplierId: string; unitCost: Money;
}
export interface ReorderRunInput { suppliers: Supplier[]; items: ReorderItem[] }
export interface ReorderSuggestion {
  sku: string; location: string; supplierId: string; projected: number; quantity: number; reasons: ReorderReason[];
}
export interface LowStockAlert { sku: string; location: string; available: number; reorderLevel: number }
export interface PurchaseOrderDraftLine { sku: string; quantity: number; unitCost: Money; lineTotal: Money }
export interface PurchaseOrderDraft {
  supplierId: string; location: string; currency: Currency; lines: PurchaseOrderDraftLine[]; total: Money;
}
export interface ReorderRunResult {
  suggestions: ReorderSuggestion[]; alerts: LowStockAlert[]; purchaseOrders: PurchaseOrderDraft[];
}
export type AdjustmentReason = "received" | "damaged" | "count_correction" | "return";
export type AdjustmentChange = { mode: "set"; quantity: number } | { mode: "delta"; quantity: number };
export interface Adjustment {
  sku: string; location: string; change: AdjustmentChange; reason: AdjustmentReason; actor: string; note?: string;
}
export interface AdjustmentStockLevel { onHand: number; reserved: number }
export interface AdjustRequest { level: AdjustmentStockLevel; adjustment: Adjustment; id: string; at: DateTime | Date }
export interface AuditEntry {
  id: string; sku: string; location: string; onHandBefore: number; onHandAfter: number; delta: number;
  reason: AdjustmentReason; actor: string; at: DateTime; note?: string;
}
export interface AdjustResult { level: AdjustmentStockLevel; audit: AuditEntry }
export type GtinKind = "gtin8" | "gtin12" | "gtin13" | "gtin14";
export interface GtinInfo { code: string; kind: GtinKind; gtin14: string }

// ---- supply ----
export type ShipmentStatus =
  | "label_created" | "in_transit" | "out_for_delivery" | "delivered" | "exception" | "returned";
export interface ShipmentLine { sku: string; quantity: number }
export interface TrackingEvent {
  eventId: string; status: ShipmentStatus; occurredAt: DateTime; location?: string; description?: string;
}
export interface Shipment {
  id: string; orderId: string; carrier: string; trackingNumber: string; lines: ShipmentLine[];
  status: ShipmentStatus; events: TrackingEvent[];
}
export interface ApplyTrackingRequest { shipment: Shipment; events: TrackingEvent[]; now: DateTime | Date }
export type TrackingApplication = "applied" | "recorded" | "duplicate";
export interface RealtimeEnvelope { type: string; channel: string; event: string; data: unknown; timestamp: string }
export interface ApplyTrackingResult {
  shipment: Shipment; applications: TrackingApplication[]; envelopes: RealtimeEnvelope[];
}
export type PurchaseOrderStatus =
  | "draft" | "sent" | "acknowledged" | "partially_received" | "received" | "cancelled";
export interface PurchaseOrderLine { sku: string; quantity: number; received?: number; unitCost: Money }
export interface PurchaseOrderHistoryEntry {
  from: PurchaseOrderStatus; to: PurchaseOrderStatus; actor: string; at: DateTime; reason?: string;
}
export interface PurchaseOrder {
  id: string; supplierId: string; location: string; currency: Currency; status: PurchaseOrderStatus;
  lines: PurchaseOrderLine[]; history?: PurchaseOrderHistoryEntry[];
}
export interface ReceiveLine { sku: string; quantity: number }
export interface ReceiveRequest {
  purchaseOrder: PurchaseOrder;
  request: { receiptId: string; lines: ReceiveLine[]; allowOverReceipt?: boolean; actor: string; at: DateTime | Date };
}
export interface Receipt {
  id: string; purchaseOrderId: string; location: string; lines: ReceiveLine[]; value: Money; actor: string; at: DateTime;
}
export interface ReceiveOutcome { purchaseOrder: PurchaseOrder; receipt: Receipt; adjustments: Adjustment[] }
export interface SupplyTransitionRequest {
  purchaseOrder: PurchaseOrder; to: PurchaseOrderStatus; actor: string; at: DateTime | Date; reason?: string | null;
}
export interface FulfillmentRequest { ordered: { sku: string; quantity: number }[]; shipments: Shipment[] }
export type ShipmentProgress =
  | "unfulfilled" | "partially_shipped" | "shipped" | "partially_delivered" | "delivered" | "returned";
export interface FulfillmentProgress {
  status: ShipmentProgress; ordered: number; shipped: number; delivered: number; returned: number;
}

// ---- forecast ----
export interface SmoothingSettings {
  trend?: "none" | "add"; damped?: boolean; seasonal?: "none" | "add" | "mul";
  seasonalPeriods?: number | null; initializationMethod?: "heuristic" | "known";
  initialLevel?: number; initialTrend?: number; initialSeasonal?: number[];
}
export interface ForecastRequest { series: number[]; settings?: SmoothingSettings; horizon: number }
export interface ForecastPoint { step: number; mean: string; stdDev: string }
export interface ForecastResponse {
  alpha: string; beta: string | null; gamma: string | null; phi: string | null; initialLevel: string;
  sse: string; sigma: string; forecast: ForecastPoint[];
}

// ---- optimize (floats: these are statistics, not money) ----
export interface GroupCap { name: string; assets: string[]; max: number }
export type PsdPolicy = "check" | "repair" | "trust";
export interface PortfolioProblem {
  assets?: string[]; expectedReturns: number[]; covariance: number[][]; lower?: number[] | null;
  upper?: number[] | null; maxWeight?: number | null; groups?: GroupCap[]; riskFreeRate?: number; psd?: PsdPolicy;
}
export interface Convergence {
  method: string; iterations: number; solves: number; kktResidual: number; maxViolation: number;
  repairedEigenvalues: number;
}
export interface PortfolioResult {
  assets: string[]; weights: number[]; expectedReturn: number; volatility: number; sharpe: number;
  convergence: Convergence;
}
export interface TargetRequest { problem: PortfolioProblem; target: number }
export interface FrontierRequest { problem: PortfolioProblem; points: number }
export interface FrontierPoint { expectedReturn: number; volatility: number; sharpe: number; weights: number[] }
export interface Frontier { assets: string[]; points: FrontierPoint[]; solves: number }
export type VarMethod = "historical" | "parametric" | "monte_carlo";
export interface VarRequest {
  weights: number[]; returns: number[][]; method?: VarMethod; confidenceLevels?: number[];
  simulations?: number; seed?: number;
}
export interface RiskMeasure { confidence: number; var: number; cvar: number }
export interface VarReport { method: VarMethod; mean: number; volatility: number; measures: RiskMeasure[] }
export interface QuboSpec { matrix: number[][]; offset?: number }
export interface QuboAnswer { x: number[]; energy: number }
export interface SolveSettings {
  classical?: "auto" | "exact" | "annealing"; exactLimit?: number;
  anneal?: { sweeps?: number; reads?: number; seed?: number };
}
export interface SelectionRequest {
  assets?: string[]; expectedReturns: number[]; covariance: number[][]; budget: number;
  riskAversion: number; penalty?: number | null; settings?: SolveSettings;
}
export interface SelectionResult {
  selected: string[]; indices: number[]; objective: number; expectedReturn: number; variance: number;
  energy: number; solver: "quantum" | "exact" | "annealing"; reason: string; spinUpdates: number;
}
export interface PriceObservation { date: string; asset: string; price: number }
export interface PriceTable { assets: string[]; dates: string[]; prices: number[][] }
export type ReturnKind = "simple" | "log";
export type Estimator = "sample" | "ledoit_wolf";
export interface EstimateRequest {
  observations?: PriceObservation[] | null; prices?: PriceTable | null;
  alignment?: "intersect" | "forward_fill"; returnKind?: ReturnKind; estimator?: Estimator;
  periodsPerYear?: number | null;
}
export interface Estimates { assets: string[]; expectedReturns: number[]; covariance: number[][]; shrinkage: number }
export interface PortfolioConstraints {
  lower?: number[] | null; upper?: number[] | null; maxWeight?: number | null; groups?: GroupCap[]; riskFreeRate?: number;
}
export interface ScenarioRequest {
  prices: PriceTable; returnKind?: ReturnKind; estimator?: Estimator; periodsPerYear?: number;
  weights?: number[] | null; objective?: "min_variance" | "max_sharpe"; constraints?: PortfolioConstraints;
  shocks?: { asset: string; change: number }[]; demandScale?: number; notional?: number; reoptimize?: boolean;
}
export interface ScenarioSide {
  weights: number[]; expectedReturn: number; volatility: number; sharpe: number; exposure: number; risk: RiskMeasure[];
}
export interface ScenarioResult {
  assets: string[]; baseline: ScenarioSide; shocked: ScenarioSide; reoptimized: ScenarioSide | null; shockPnl: number;
}

// ---- access / identity / ratelimit ----
/** A role and its grants, e.g. `{ name: "staff", permissions: ["order:read", "product:*"] }`. */
export interface RoleDef { name: string; permissions: string[] }
export interface Principal { userId?: string | null; roles?: string[]; customerGroups?: string[] }
export interface Resource { kind: string; id?: string | null; ownerId?: string | null }
export interface AuthorizeRequest { roles?: RoleDef[]; principal: Principal; action: string; resource: Resource }
export interface Decision {
  allowed: boolean; role?: string; permission?: string; reason?: "no_matching_permission" | "not_owner";
  explanation: string;
}
export interface AuthorizeResult { decision: Decision; errorCode: ErrorCode | null }
export interface PasswordPolicy { minLength?: number; maxLength?: number; refuseCommon?: boolean }
export interface RegistrationRequest { registration: { email: string; password: string }; policy?: PasswordPolicy }
export interface RegistrationResult { email: string }
export interface NormalizeEmailRequest { email: string }
/** The normalized address. */
export type NormalizeEmailResult = string;
export type EndpointClass = "auth" | "read" | "write" | "bulk" | "search";
export interface Quota { limit: number; periodSeconds: number; burst: number }
export interface RateLimitConfig { auth?: Quota; read?: Quota; write?: Quota; bulk?: Quota; search?: Quota }
export interface RateLimitSequenceRequest {
  config?: RateLimitConfig; start: DateTime | Date;
  requests: { atMs: number; class: EndpointClass; subject: { kind: "principal" | "client"; id: string } }[];
}
export interface RateLimitStep {
  allowed: boolean; limit: number; remaining: number; resetAfterMs: number; retryAfterMs: number;
  headers: Record<string, string>;
}

// ---- billing (subscriptions): the request and result shapes are docs/billing.md's; not yet
// spelled out here, so they are typed as plain JSON objects ----
export type BillingRequest = Record<string, unknown>;
export type BillingResult = unknown;

// ---- the generic call ----
/** Request and result type of every operation of the pure domain. */
export interface Operations {
  "money.allocate": [AllocateRequest, Money[]];
  "money.round": [RoundRequest, Money];
  "order.check_transition": [OrderTransitionRequest, OrderTransitionAllowed];
  "payment.apply_event": [ApplyPaymentEventRequest, ApplyPaymentEventResult];
  "payment.check_refund": [RefundCheckRequest, RefundCheckResult];
  "catalog.validate": [CatalogData, CatalogStats];
  "catalog.resolve_price": [ResolvePriceRequest, ResolvedPrice];
  "catalog.query": [CatalogQueryRequest, Page<ProductSummary>];
  "catalog.related": [RelatedRequest, ProductSummary[]];
  "catalog.validate_image": [ValidateImageRequest, ImageInfo];
  "cart.apply": [CartApplyRequest, Cart];
  "cart.merge": [CartMergeRequest, CartMergeOutcome];
  "cart.pricing_lines": [CartPricingLinesRequest, PricingLine[]];
  "cart.check_stock": [CheckStockRequest, Record<string, number>];
  "pricing.price_cart": [PricingInput, PricedCart];
  "inventory.eoq": [EoqInput, EoqResult];
  "inventory.reorder_point": [ReorderPointInput, ReorderPointResult];
  "inventory.min_max": [MinMaxInput, ReorderDecision];
  "inventory.s_s": [SsInput, ReorderDecision];
  "inventory.reorder_run": [ReorderRunInput, ReorderRunResult];
  "inventory.adjust": [AdjustRequest, AdjustResult];
  "inventory.gtin": [string, GtinInfo];
  "supply.apply_tracking": [ApplyTrackingRequest, ApplyTrackingResult];
  "supply.receive": [ReceiveRequest, ReceiveOutcome];
  "supply.transition": [SupplyTransitionRequest, PurchaseOrder];
  "supply.fulfillment_progress": [FulfillmentRequest, FulfillmentProgress];
  "forecast.holt_winters": [ForecastRequest, ForecastResponse];
  "optimize.min_variance": [PortfolioProblem, PortfolioResult];
  "optimize.max_sharpe": [PortfolioProblem, PortfolioResult];
  "optimize.efficient_return": [TargetRequest, PortfolioResult];
  "optimize.efficient_risk": [TargetRequest, PortfolioResult];
  "optimize.frontier": [FrontierRequest, Frontier];
  "optimize.var": [VarRequest, VarReport];
  "optimize.qubo_exact": [QuboSpec, QuboAnswer];
  "optimize.select": [SelectionRequest, SelectionResult];
  "optimize.estimate": [EstimateRequest, Estimates];
  "optimize.scenario": [ScenarioRequest, ScenarioResult];
  "access.authorize": [AuthorizeRequest, AuthorizeResult];
  "identity.validate_registration": [RegistrationRequest, RegistrationResult];
  "identity.normalize_email": [NormalizeEmailRequest, NormalizeEmailResult];
  "ratelimit.sequence": [RateLimitSequenceRequest, RateLimitStep[]];
  "billing.periods": [BillingRequest, BillingResult];
  "billing.period_at": [BillingRequest, BillingResult];
  "billing.prorate": [BillingRequest, BillingResult];
  "billing.invoice": [BillingRequest, BillingResult];
  "billing.usage_charge": [BillingRequest, BillingResult];
  "billing.transition": [BillingRequest, BillingResult];
  "billing.dunning_step": [BillingRequest, BillingResult];
}
export type OperationName = keyof Operations;
export type RequestOf<K extends OperationName> = Operations[K][0];
export type ResultOf<K extends OperationName> = Operations[K][1];

/**
 * Runs one operation of the pure domain on a request in its serde form.
 * Throws a `KassaError` (`VALIDATION_ERROR` naming the field path for a request of the wrong
 * shape, `NOT_FOUND` for an unknown operation name, or the operation's own error).
 */
export function call<K extends OperationName>(operation: K, request: RequestOf<K>): ResultOf<K>;

// ---- the engine (Engine.inMemory(setup), engine.call(op, request) -> Promise) ----
/** The acting principal of an engine request. */
export interface Actor { id: string; roles?: string[] }
export interface PricingRules {
  promotions?: Promotion[]; coupons?: Coupon[]; taxRules?: TaxRule[]; shippingRates?: ShippingRate[];
  rounding?: RoundingSettings; stacking?: StackingPolicy;
}
export interface EngineConfig {
  orderNumberPrefix?: string; reservationTtlSeconds?: number; captureOnCheckout?: boolean;
  defaultRegion?: string; lowStockThreshold?: number; maxWriteRetries?: number;
}
export interface InMemorySetup {
  /** Default: the sample catalog (examples/data/catalog.json), in the builds with the
   * `sample-catalog` feature (`nodejs`); `web-full` leaves it out of the module (58 KB), so
   * there a setup without `catalog` throws `UNSUPPORTED` (`meta.feature: "sample-catalog"`). */
  catalog?: CatalogData;
  rules?: PricingRules;
  /** The manual clock's start (default 2026-01-01T00:00:00Z). */
  start?: DateTime | Date;
  seed?: number;
  engine?: EngineConfig;
  stock?: { sku: string; locationId?: string; onHand: number }[];
  auth?: {
    issuer: string; audience: string; kid?: string; hs256Secret: string;
    accessTtlSeconds?: number; refreshTtlSeconds?: number; config?: Record<string, unknown>;
  };
}
export interface StoredCart { id: string; ownerId: string; cart: Cart; version: number; updatedAt: DateTime }
/** Sandbox gateway tokens: tok_approve, tok_decline, tok_insufficient_funds, tok_processing_error, tok_timeout. */
export interface CheckoutRequest {
  cartId: string; paymentToken: string; couponCodes?: string[]; expectedTotal?: Money; region?: string;
  channel?: string; shippingMethod?: string;
}
export interface OrderLine {
  lineId: string; sku: string; productId: string; name: string; variant: string; quantity: number;
  unitPrice: Money; discount: Money; tax: Money; total: Money; shipped: number; delivered: number;
  returned: number; refunded: Money;
}
export interface OrderTotals { subtotal: Money; discount: Money; tax: Money; shipping: Money; total: Money }
export interface Order {
  id: string; number: string; customerId: string; cartId?: string; currency: Currency; lines: OrderLine[];
  totals: OrderTotals; couponCodes: string[]; status: OrderStatus; fulfillmentStatus: FulfillmentStatus;
  payment: Payment; reservationId?: string; refunds: unknown[]; history: HistoryEntry[]; version: number;
  createdAt: DateTime; updatedAt: DateTime;
}
/** Request and result of the engine operations (the rest take `{ actor, ... }` and answer JSON: see docs/wasm.md). */
export interface EngineOperations {
  "health": [undefined, unknown];
  "catalog.browse": [{ actor?: Actor; query: ProductQuery }, Page<ProductSummary>];
  "inventory.set_stock": [{ actor: Actor; sku: string; locationId?: string; onHand: number }, unknown];
  "inventory.availability": [{ skus?: string[] }, unknown];
  "cart.create": [{ actor: Actor; currency: Currency }, StoredCart];
  "cart.get": [{ actor: Actor; cartId: string }, StoredCart];
  "cart.add": [{ actor: Actor; cartId: string; sku: string; quantity: number }, StoredCart];
  "cart.set_quantity": [{ actor: Actor; cartId: string; lineId: string; quantity: number }, StoredCart];
  "cart.remove": [{ actor: Actor; cartId: string; lineId: string }, StoredCart];
  "checkout.quote": [{ actor: Actor; request: CheckoutRequest }, PricedCart];
  "checkout.run": [{ actor: Actor; idempotencyKey?: string; request: CheckoutRequest }, Order];
  "order.get": [{ actor: Actor; orderId: string }, Order];
  "order.cancel": [{ actor: Actor; orderId: string; reason?: string }, Order];
  "payment.capture": [{ actor: Actor; orderId: string; amount?: Money }, Order];
  "memory.now": [undefined, DateTime];
  "memory.set_clock": [{ now: DateTime | Date }, null];
  "memory.advance_clock": [{ seconds: number }, null];
  "memory.drain_events": [undefined, unknown[]];
  "auth.purge_expired_tokens": [undefined, PurgedTokens];
}
/** What `auth.purge_expired_tokens` deleted: refresh-token families and one-time tokens. */
export interface PurgedTokens { families: number; oneTime: number }
/** Every engine operation. The `Engine` class exists only in the `web-full` / `nodejs` builds
 * (in `web`, `Engine.inMemory` throws `UNSUPPORTED`, `meta.feature: "engine"`), and
 * `notify.render` rejects with `UNSUPPORTED` (`meta.feature: "templates"`) in every build
 * `build.sh` makes: the notification templates are left out of the wasm module. */
export type EngineOperationName =
  | keyof EngineOperations
  | "catalog.create_product" | "catalog.update_product" | "catalog.pricing_rules" | "catalog.set_pricing_rules"
  | "inventory.sweep_reservations" | "order.mine" | "order.history" | "order.refund" | "order.update_status"
  | "payment.gateway_event" | "admin.dashboard" | "notify.render" | "auth.register" | "auth.resend_verification"
  | "auth.verify_email" | "auth.login" | "auth.refresh" | "auth.logout" | "auth.logout_everywhere"
  | "auth.authenticate" | "auth.forgot_password" | "auth.reset_password";
/** Typed overload of `Engine.call` for the operations listed in `EngineOperations`. */
export interface Engine {
  call<K extends keyof EngineOperations>(operation: K, request: EngineOperations[K][0]): Promise<EngineOperations[K][1]>;
}
