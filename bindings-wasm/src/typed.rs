//! One typed export per domain operation, each a thin alias of `call(op, request)` with its
//! TypeScript request and result types (declared in `types.d.ts`).

use wasm_bindgen::prelude::*;

macro_rules! typed_ops {
    ($( $(#[doc = $doc:literal])* $rust:ident => $js:ident, $op:literal, $req:literal, $res:literal; )*) => {
        $(
            $(#[doc = $doc])*
            #[doc = ""]
            #[doc = concat!("Operation `", $op, "`. Throws a `KassaError`.")]
            #[wasm_bindgen(js_name = $js, unchecked_return_type = $res)]
            pub fn $rust(
                #[wasm_bindgen(unchecked_param_type = $req)] request: JsValue,
            ) -> Result<JsValue, JsValue> {
                crate::run($op, &request)
            }
        )*

        /// `[jsName, operation]` of every typed export (the tests check the list is complete).
        pub const TYPED: &[(&str, &str)] = &[$((stringify!($js), $op)),*];
    };
}

typed_ops! {
    /// Splits an amount over weights, exactly (largest remainder, ties to the earlier share).
    allocate_money => allocateMoney, "money.allocate", "AllocateRequest", "Money[]";
    /// Rounds an amount to its currency's minor unit (or a given scale) with a rounding mode.
    round_money => roundMoney, "money.round", "RoundRequest", "Money";
    /// Whether an order may move from one status to another.
    check_order_transition => checkOrderTransition, "order.check_transition", "OrderTransitionRequest", "OrderTransitionAllowed";
    /// Applies a gateway event to a payment (idempotent on the event id).
    apply_payment_event => applyPaymentEvent, "payment.apply_event", "ApplyPaymentEventRequest", "ApplyPaymentEventResult";
    /// Checks a refund amount against what was captured and already refunded.
    check_refund => checkRefund, "payment.check_refund", "RefundCheckRequest", "RefundCheckResult";
    /// Validates a whole catalog (slugs, SKUs, categories, prices).
    validate_catalog => validateCatalog, "catalog.validate", "CatalogData", "CatalogStats";
    /// Resolves a variant's price for a currency, region and channel.
    resolve_price => resolvePrice, "catalog.resolve_price", "ResolvePriceRequest", "ResolvedPrice";
    /// Searches, filters, sorts and pages the catalog.
    query_catalog => queryCatalog, "catalog.query", "CatalogQueryRequest", "Page<ProductSummary>";
    /// Products related to one product.
    related_products => relatedProducts, "catalog.related", "RelatedRequest", "ProductSummary[]";
    /// Validates an uploaded image's type, size and pixel count.
    validate_image => validateImage, "catalog.validate_image", "ValidateImageRequest", "ImageInfo";
    /// Applies cart operations (add, set quantity, remove, ...) to a cart.
    apply_cart => applyCart, "cart.apply", "CartApplyRequest", "Cart";
    /// Merges a guest cart into a customer's cart.
    merge_carts => mergeCarts, "cart.merge", "CartMergeRequest", "CartMergeOutcome";
    /// Resolves a cart's lines against the catalog into pricing lines.
    cart_pricing_lines => cartPricingLines, "cart.pricing_lines", "CartPricingLinesRequest", "PricingLine[]";
    /// Checks a cart against a stock snapshot; returns the SKUs that are short, with what is available.
    check_stock => checkStock, "cart.check_stock", "CheckStockRequest", "Record<string, number>";
    /// Prices a cart: promotions, coupons, tax, shipping, with the explanation.
    price_cart => priceCart, "pricing.price_cart", "PricingInput", "PricedCart";
    /// Economic order quantity.
    eoq => eoq, "inventory.eoq", "EoqInput", "EoqResult";
    /// Reorder point with safety stock.
    reorder_point => reorderPoint, "inventory.reorder_point", "ReorderPointInput", "ReorderPointResult";
    /// Min/max reorder policy.
    min_max => minMax, "inventory.min_max", "MinMaxInput", "ReorderDecision";
    /// (s, S) reorder policy.
    s_s => sS, "inventory.s_s", "SsInput", "ReorderDecision";
    /// A reorder run over many SKUs.
    reorder_run => reorderRun, "inventory.reorder_run", "ReorderRunInput", "ReorderRunResult";
    /// Applies a stock adjustment.
    adjust_stock => adjustStock, "inventory.adjust", "AdjustRequest", "AdjustResult";
    /// Validates a GTIN (EAN-8/12/13/14) check digit.
    validate_gtin => validateGtin, "inventory.gtin", "string", "GtinInfo";
    /// Applies carrier tracking events to a shipment.
    apply_tracking => applyTracking, "supply.apply_tracking", "ApplyTrackingRequest", "ApplyTrackingResult";
    /// Receives goods against a purchase order.
    receive_goods => receiveGoods, "supply.receive", "ReceiveRequest", "ReceiveOutcome";
    /// Moves a purchase order to another status.
    supply_transition => supplyTransition, "supply.transition", "SupplyTransitionRequest", "PurchaseOrder";
    /// Fulfillment progress of an order's shipments.
    fulfillment_progress => fulfillmentProgress, "supply.fulfillment_progress", "FulfillmentRequest", "FulfillmentProgress";
    /// Holt-Winters demand forecast.
    forecast_holt_winters => forecastHoltWinters, "forecast.holt_winters", "ForecastRequest", "ForecastResponse";
    /// Minimum-variance portfolio.
    min_variance => minVariance, "optimize.min_variance", "PortfolioProblem", "PortfolioResult";
    /// Maximum-Sharpe portfolio.
    max_sharpe => maxSharpe, "optimize.max_sharpe", "PortfolioProblem", "PortfolioResult";
    /// Minimum risk for a target return.
    efficient_return => efficientReturn, "optimize.efficient_return", "TargetRequest", "PortfolioResult";
    /// Maximum return for a target risk.
    efficient_risk => efficientRisk, "optimize.efficient_risk", "TargetRequest", "PortfolioResult";
    /// Points of the efficient frontier.
    efficient_frontier => efficientFrontier, "optimize.frontier", "FrontierRequest", "Frontier";
    /// Value at risk (parametric, historical, Monte Carlo).
    value_at_risk => valueAtRisk, "optimize.var", "VarRequest", "VarReport";
    /// Exact QUBO minimum by enumeration (small problems).
    qubo_exact => quboExact, "optimize.qubo_exact", "QuboSpec", "QuboAnswer";
    /// Product / asset selection under a budget (QUBO, annealing).
    select_items => selectItems, "optimize.select", "SelectionRequest", "SelectionResult";
    /// Expected returns and covariance from a price history.
    estimate_returns => estimateReturns, "optimize.estimate", "EstimateRequest", "Estimates";
    /// A portfolio under a scenario of shocks.
    scenario => scenario, "optimize.scenario", "ScenarioRequest", "ScenarioResult";
    /// Whether a principal may perform an action on a resource.
    authorize => authorize, "access.authorize", "AuthorizeRequest", "AuthorizeResult";
    /// Validates a registration (email, password rules); returns the normalized form.
    validate_registration => validateRegistration, "identity.validate_registration", "RegistrationRequest", "RegistrationResult";
    /// Normalizes an email address.
    normalize_email => normalizeEmail, "identity.normalize_email", "NormalizeEmailRequest", "NormalizeEmailResult";
    /// Runs a GCRA rate limiter over a sequence of requests.
    rate_limit_sequence => rateLimitSequence, "ratelimit.sequence", "RateLimitSequenceRequest", "RateLimitStep[]";
    /// Billing periods of a subscription plan.
    billing_periods => billingPeriods, "billing.periods", "BillingRequest", "BillingResult";
    /// The billing period holding an instant.
    billing_period_at => billingPeriodAt, "billing.period_at", "BillingRequest", "BillingResult";
    /// Proration of a plan change inside a period.
    billing_prorate => billingProrate, "billing.prorate", "BillingRequest", "BillingResult";
    /// A subscription invoice (lines, coupons, credits, tax).
    billing_invoice => billingInvoice, "billing.invoice", "BillingRequest", "BillingResult";
    /// A usage charge (graduated or volume tiers).
    billing_usage_charge => billingUsageCharge, "billing.usage_charge", "BillingRequest", "BillingResult";
    /// A subscription status transition.
    billing_transition => billingTransition, "billing.transition", "BillingRequest", "BillingResult";
    /// One dunning step after a failed payment.
    billing_dunning_step => billingDunningStep, "billing.dunning_step", "BillingRequest", "BillingResult";
}

/// `[jsName, operation]` of every typed export.
#[wasm_bindgen(js_name = typedExports, unchecked_return_type = "[string, OperationName][]")]
pub fn typed_exports() -> js_sys::Array {
    TYPED
        .iter()
        .map(|(js, op)| {
            let pair = js_sys::Array::new();
            pair.push(&JsValue::from_str(js));
            pair.push(&JsValue::from_str(op));
            JsValue::from(pair)
        })
        .collect()
}
