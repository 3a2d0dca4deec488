//! One typed export per pure domain operation, in JS namespaces (`money.allocate`, ...).
//!
//! Each takes the request as JSON text and returns the result as JSON text; the package's
//! `index.js` wraps them so JS callers pass and receive plain objects typed by `index.d.ts`
//! (the `ts_args_type` / `ts_return_type` below name the interfaces of the type header,
//! `types/header.d.ts`).

use napi_derive::napi;

macro_rules! typed_ops {
    ($($rust:ident => $ns:literal . $js:literal = $op:literal ($args:literal) -> $ret:literal;)*) => {
        $(
            #[doc = concat!("Runs the pure operation `", $op, "`.")]
            #[napi(namespace = $ns, js_name = $js, ts_args_type = $args, ts_return_type = $ret, catch_unwind)]
            pub fn $rust(request: String) -> napi::Result<String> {
                crate::run_json($op, &request)
            }
        )*
        /// Every operation with a typed export, for the completeness test.
        pub const TYPED: &[&str] = &[$($op),*];
    };
}

typed_ops! {
    money_allocate => "money"."allocate" = "money.allocate"("request: MoneyAllocateInput") -> "MoneyAllocateOutput";
    money_round => "money"."round" = "money.round"("request: MoneyRoundInput") -> "MoneyRoundOutput";
    order_check_transition => "order"."checkTransition" = "order.check_transition"("request: OrderCheckTransitionInput") -> "OrderCheckTransitionOutput";
    payment_apply_event => "payment"."applyEvent" = "payment.apply_event"("request: PaymentApplyEventInput") -> "PaymentApplyEventOutput";
    payment_check_refund => "payment"."checkRefund" = "payment.check_refund"("request: PaymentCheckRefundInput") -> "PaymentCheckRefundOutput";
    catalog_validate => "catalog"."validate" = "catalog.validate"("request: CatalogValidateInput") -> "CatalogValidateOutput";
    catalog_resolve_price => "catalog"."resolvePrice" = "catalog.resolve_price"("request: CatalogResolvePriceInput") -> "CatalogResolvePriceOutput";
    catalog_query => "catalog"."query" = "catalog.query"("request: CatalogQueryInput") -> "CatalogQueryOutput";
    catalog_related => "catalog"."related" = "catalog.related"("request: CatalogRelatedInput") -> "CatalogRelatedOutput";
    catalog_validate_image => "catalog"."validateImage" = "catalog.validate_image"("request: CatalogValidateImageInput") -> "CatalogValidateImageOutput";
    cart_apply => "cart"."apply" = "cart.apply"("request: CartApplyInput") -> "CartApplyOutput";
    cart_merge => "cart"."merge" = "cart.merge"("request: CartMergeInput") -> "CartMergeOutput";
    cart_pricing_lines => "cart"."pricingLines" = "cart.pricing_lines"("request: CartPricingLinesInput") -> "CartPricingLinesOutput";
    cart_check_stock => "cart"."checkStock" = "cart.check_stock"("request: CartCheckStockInput") -> "CartCheckStockOutput";
    pricing_price_cart => "pricing"."priceCart" = "pricing.price_cart"("request: PricingPriceCartInput") -> "PricingPriceCartOutput";
    inventory_eoq => "inventory"."eoq" = "inventory.eoq"("request: InventoryEoqInput") -> "InventoryEoqOutput";
    inventory_reorder_point => "inventory"."reorderPoint" = "inventory.reorder_point"("request: InventoryReorderPointInput") -> "InventoryReorderPointOutput";
    inventory_min_max => "inventory"."minMax" = "inventory.min_max"("request: InventoryMinMaxInput") -> "InventoryMinMaxOutput";
    inventory_s_s => "inventory"."sS" = "inventory.s_s"("request: InventorySSInput") -> "InventorySSOutput";
    inventory_reorder_run => "inventory"."reorderRun" = "inventory.reorder_run"("request: InventoryReorderRunInput") -> "InventoryReorderRunOutput";
    inventory_adjust => "inventory"."adjust" = "inventory.adjust"("request: InventoryAdjustInput") -> "InventoryAdjustOutput";
    inventory_gtin => "inventory"."gtin" = "inventory.gtin"("request: InventoryGtinInput") -> "InventoryGtinOutput";
    supply_apply_tracking => "supply"."applyTracking" = "supply.apply_tracking"("request: SupplyApplyTrackingInput") -> "SupplyApplyTrackingOutput";
    supply_receive => "supply"."receive" = "supply.receive"("request: SupplyReceiveInput") -> "SupplyReceiveOutput";
    supply_transition => "supply"."transition" = "supply.transition"("request: SupplyTransitionInput") -> "SupplyTransitionOutput";
    supply_fulfillment_progress => "supply"."fulfillmentProgress" = "supply.fulfillment_progress"("request: SupplyFulfillmentProgressInput") -> "SupplyFulfillmentProgressOutput";
    forecast_holt_winters => "forecast"."holtWinters" = "forecast.holt_winters"("request: ForecastHoltWintersInput") -> "ForecastHoltWintersOutput";
    optimize_min_variance => "optimize"."minVariance" = "optimize.min_variance"("request: OptimizeMinVarianceInput") -> "OptimizeMinVarianceOutput";
    optimize_max_sharpe => "optimize"."maxSharpe" = "optimize.max_sharpe"("request: OptimizeMaxSharpeInput") -> "OptimizeMaxSharpeOutput";
    optimize_efficient_return => "optimize"."efficientReturn" = "optimize.efficient_return"("request: OptimizeEfficientReturnInput") -> "OptimizeEfficientReturnOutput";
    optimize_efficient_risk => "optimize"."efficientRisk" = "optimize.efficient_risk"("request: OptimizeEfficientRiskInput") -> "OptimizeEfficientRiskOutput";
    optimize_frontier => "optimize"."frontier" = "optimize.frontier"("request: OptimizeFrontierInput") -> "OptimizeFrontierOutput";
    optimize_var => "optimize"."valueAtRisk" = "optimize.var"("request: OptimizeVarInput") -> "OptimizeVarOutput";
    optimize_qubo_exact => "optimize"."quboExact" = "optimize.qubo_exact"("request: OptimizeQuboExactInput") -> "OptimizeQuboExactOutput";
    optimize_select => "optimize"."select" = "optimize.select"("request: OptimizeSelectInput") -> "OptimizeSelectOutput";
    optimize_estimate => "optimize"."estimate" = "optimize.estimate"("request: OptimizeEstimateInput") -> "OptimizeEstimateOutput";
    optimize_scenario => "optimize"."scenario" = "optimize.scenario"("request: OptimizeScenarioInput") -> "OptimizeScenarioOutput";
    access_authorize => "access"."authorize" = "access.authorize"("request: AccessAuthorizeInput") -> "AccessAuthorizeOutput";
    identity_validate_registration => "identity"."validateRegistration" = "identity.validate_registration"("request: IdentityValidateRegistrationInput") -> "IdentityValidateRegistrationOutput";
    identity_normalize_email => "identity"."normalizeEmail" = "identity.normalize_email"("request: IdentityNormalizeEmailInput") -> "IdentityNormalizeEmailOutput";
    ratelimit_sequence => "ratelimit"."sequence" = "ratelimit.sequence"("request: RatelimitSequenceInput") -> "RatelimitSequenceOutput";
    billing_periods => "billing"."periods" = "billing.periods"("request: BillingPeriodsInput") -> "BillingPeriodsOutput";
    billing_period_at => "billing"."periodAt" = "billing.period_at"("request: BillingPeriodAtInput") -> "BillingPeriodAtOutput";
    billing_prorate => "billing"."prorate" = "billing.prorate"("request: BillingProrateInput") -> "BillingProrateOutput";
    billing_invoice => "billing"."invoice" = "billing.invoice"("request: BillingInvoiceInput") -> "BillingInvoiceOutput";
    billing_usage_charge => "billing"."usageCharge" = "billing.usage_charge"("request: BillingUsageChargeInput") -> "BillingUsageChargeOutput";
    billing_transition => "billing"."transition" = "billing.transition"("request: BillingTransitionInput") -> "BillingTransitionOutput";
    billing_dunning_step => "billing"."dunningStep" = "billing.dunning_step"("request: BillingDunningStepInput") -> "BillingDunningStepOutput";
}
