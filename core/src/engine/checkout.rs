//! Checkout (seed: `POST /orders`), idempotent with Stripe semantics.

use super::outbox::{OrderPlaced, Outbound};
use super::{request_hash, Engine, Principal};
use crate::cart::CartRules;
use crate::catalog::PriceContext;
use crate::error::{ErrorCode, KassaError, Result};
use crate::inventory::reservation::ReserveRequest;
use crate::inventory::stock::sum_demand;
use crate::memory::normalize_code;
use crate::money::Money;
use crate::notify::{OrderEvent, OrderSummary};
use crate::order::{NewOrder, NewOrderLine, Order, OrderStatus, OrderTotals, PaymentStatus, Stamp};
use crate::page::PageRequest;
use crate::payment::{AttemptOutcome, PaymentAttempt};
use crate::ports::{
    is_key_taken, AuthorizeRequest, CheckoutInputs, ComposedCheckout, CouponLimits, GatewayOutcome,
    GatewayResponse, IdempotencyResponse, OrderFilter, PlaceOrder, PricingRules, SettleOrder,
    Settled, StoredCart,
};
use crate::pricing::{price_cart, PricedCart, PricingContext, PricingInput, RejectionReason};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A checkout request: which cart, how to pay, and what the client showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutRequest {
    /// The cart to buy.
    pub cart_id: String,
    /// Payment method token (see the sandbox gateway's test cards).
    pub payment_token: String,
    /// Coupon codes entered.
    #[serde(default)]
    pub coupon_codes: Vec<String>,
    /// The total the client displayed; a different recomputed total is a `CONFLICT`
    /// carrying the new totals in `meta.totals`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_total: Option<Money>,
    /// Tax and shipping region (default: the engine's `defaultRegion`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Sales channel for price resolution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Chosen shipping rate id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_method: Option<String>,
}

/// Coupon rejections that make a checkout fail (the customer must fix the code); other
/// reasons (no discount, beaten by a better deal) leave the code simply unused.
fn blocking(reason: RejectionReason) -> bool {
    matches!(
        reason,
        RejectionReason::CouponNotFound
            | RejectionReason::CouponUsageLimitReached
            | RejectionReason::CouponCustomerLimitReached
            | RejectionReason::CouponMinSpendNotMet
            | RejectionReason::OutsideDateWindow
    )
}

/// When a stored idempotent response is an in-flight checkpoint, the time it was taken.
fn in_flight_since(response: &serde_json::Value) -> Option<DateTime<Utc>> {
    response
        .get("inFlightSince")
        .and_then(|v| v.as_str())
        // `FromStr` (the parser serde's decoding of every date uses), not
        // `parse_from_rfc3339`: a second date parser in the wasm module for this one read.
        .and_then(|s| s.parse::<DateTime<Utc>>().ok())
}

fn u32_sat(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What checkout prepared before touching shared state.
struct Quote {
    priced: PricedCart,
    /// The limits of each applied coupon, by normalized code.
    coupon_limits: Vec<(String, CouponLimits)>,
    new_lines: Vec<NewOrderLine>,
}

impl Engine {
    /// Checks out a cart.
    ///
    /// With an `idempotency_key` (scoped to the principal): the same key and the same request
    /// give the same order (or the same payment error) without a second charge; the same key
    /// with a different request is a `CONFLICT` (`meta.idempotency = "key_reused"`); a
    /// duplicate while the first is still running is a `CONFLICT`
    /// (`meta.idempotency = "in_progress"`). Errors before an order exists free the key.
    ///
    /// Outcomes: approved → the order is `confirmed`, stock committed, cart cleared,
    /// `order_placed` emitted. Declined → `PAYMENT_DECLINED` (meta `orderId`, `declineCode`),
    /// the order is `cancelled` with payment `failed`, stock released, coupons given back,
    /// the cart kept, `payment_failed` emitted. Unknown outcome → the order is returned
    /// `pending` with payment `pending`, holding its stock until a gateway event settles it
    /// ([`Engine::apply_gateway_event`]).
    pub async fn checkout(
        &self,
        actor: &Principal,
        idempotency_key: Option<&str>,
        req: CheckoutRequest,
    ) -> Result<Order> {
        self.authorize_kind(actor, "orders", "create")?;
        // The checkout future (~7 KB: orders held by value across awaits) is awaited inline,
        // not boxed: a 7 KB heap block per checkout sends glibc's malloc through a fastbin
        // consolidation every time, which cost more (callgrind: 3 % of a checkout) than the
        // executor moving the larger future (docs/performance.md, engine, session 7).
        let Some(key) = idempotency_key else {
            return Ok(self.checkout_once(actor, &req, None, None).await?.0);
        };
        let hash = request_hash(&req)?;
        // A store that claims keys inside `place` reads the key's record with the cart: when
        // there is none, the key is created in `place` together with the order (no claim
        // transaction of its own). Boxed: only database stores take this path, and the
        // in-memory checkout's future stays as it was.
        if self.ports.checkout.claims_keys_in_place() {
            let (inputs, exists) = self
                .ports
                .checkout
                .load_keyed(self.ports.checkout_ports(), &req.cart_id, &actor.id, key)
                .await?;
            if !exists {
                let preloaded = Some((hash.clone(), Box::new(inputs)));
                let result = Box::pin(self.checkout_once(actor, &req, Some(key), preloaded)).await;
                match result {
                    // Someone created the key after the read: nothing was stored; claim it
                    // the usual way, which tells a replay from a running or reused key.
                    Err(e) if is_key_taken(&e) => {}
                    // The key is held only if `place` stored it, and then every error
                    // carries the order id: an error without one leaves no key to free.
                    result => return self.finish_keyed(actor, key, result, false).await,
                }
            }
        }
        let claimed = super::request_hash::claim(
            self.ports.idempotency.as_ref(),
            &actor.id,
            key,
            &hash,
            self.now(),
        )
        .await?;
        if let Some(response) = claimed {
            if let Some(since) = in_flight_since(&response) {
                if self.now() - since < Duration::seconds(self.config.in_flight_seconds) {
                    return Err(super::request_hash::in_progress());
                }
            }
            return self.replay(actor, response).await;
        }
        let result = self.checkout_once(actor, &req, Some(key), None).await;
        self.finish_keyed(actor, key, result, true).await
    }

    /// Stores a keyed checkout's outcome under its key: an approved one was stored by
    /// `settle`; another with an order is stored here; an error before the order frees the
    /// key if this request holds it from before (`held`).
    async fn finish_keyed(
        &self,
        actor: &Principal,
        key: &str,
        result: Result<(Order, bool)>,
        held: bool,
    ) -> Result<Order> {
        match &result {
            // The approved checkout completed the key in its settle step.
            Ok((_, true)) => {}
            Ok((order, false)) => {
                let response = serde_json::json!({ "orderId": order.id });
                self.ports
                    .idempotency
                    .complete(&actor.id, key, response)
                    .await?;
            }
            Err(e) if e.meta.contains_key("orderId") => {
                let response = serde_json::json!({ "error": e });
                self.ports
                    .idempotency
                    .complete(&actor.id, key, response)
                    .await?;
            }
            Err(_) if held => self.ports.idempotency.abandon(&actor.id, key).await?,
            Err(_) => {}
        }
        result.map(|(order, _)| order)
    }

    /// Prices the cart as checkout would (catalog prices, promotions, coupons with their live
    /// usage, tax, shipping) without reserving or charging anything: what a client shows
    /// before it sends the checkout with `expectedTotal`.
    pub async fn quote_checkout(
        &self,
        actor: &Principal,
        req: &CheckoutRequest,
    ) -> Result<PricedCart> {
        Ok(self.quote(actor, req, None).await?.0.priced)
    }

    /// Whether the customer has no confirmed or completed order yet.
    async fn is_first_order(&self, customer_id: &str) -> Result<bool> {
        for status in [OrderStatus::Confirmed, OrderStatus::Completed] {
            let filter = OrderFilter {
                customer_id: Some(customer_id.to_owned()),
                status: Some(status),
                ..OrderFilter::default()
            };
            let page = self
                .ports
                .orders
                .list(
                    &filter,
                    PageRequest {
                        page: 1,
                        page_size: 1,
                    },
                )
                .await?;
            if page.pagination.total > 0 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    async fn replay(&self, actor: &Principal, response: serde_json::Value) -> Result<Order> {
        if let Some(err) = response.get("error") {
            let e: KassaError = crate::host::from_value(err.clone()).map_err(|e| {
                KassaError::internal(format!("stored idempotent response: {}", e.message))
            })?;
            return Err(e.with_meta("idempotentReplay", true));
        }
        let id = response
            .get("orderId")
            .and_then(|v| v.as_str())
            .ok_or_else(|| KassaError::internal("stored idempotent response has no order id"))?;
        let order = self.load_order(id).await?;
        self.require_owner(actor, &order.customer_id, "order", id)?;
        Ok(order)
    }

    /// Prices the checkout; `inputs` are the cart, catalog and rules if already read.
    async fn quote(
        &self,
        actor: &Principal,
        req: &CheckoutRequest,
        inputs: Option<Box<CheckoutInputs>>,
    ) -> Result<(Quote, StoredCart)> {
        if req.payment_token.trim().is_empty() {
            return Err(KassaError::validation("paymentToken", "must not be empty"));
        }
        for (i, c) in req.coupon_codes.iter().enumerate() {
            if c.trim().is_empty() {
                return Err(KassaError::validation(
                    format!("couponCodes[{i}]"),
                    "must not be empty",
                ));
            }
        }
        // The cart, the catalog and the rules in one port call (one round trip on a
        // database).
        let CheckoutInputs {
            cart: stored,
            catalog,
            rules,
        } = if let Some(inputs) = inputs {
            *inputs
        } else if self.ports.checkout.is_composed() {
            ComposedCheckout::load_with(self.ports.checkout_ports(), &req.cart_id).await?
        } else {
            self.ports
                .checkout
                .load(self.ports.checkout_ports(), &req.cart_id)
                .await?
        };
        let stored = stored.ok_or_else(|| KassaError::not_found("cart", &req.cart_id))?;
        self.require_owner(actor, &stored.owner_id, "cart", &req.cart_id)?;
        let cart = &stored.cart;
        if cart.is_empty() {
            return Err(KassaError::validation("items", "the cart is empty"));
        }
        cart.check_shape(&CartRules::default())?;
        let region = req
            .region
            .clone()
            .unwrap_or_else(|| self.config.default_region.clone());
        let mut price_ctx = PriceContext::currency(cart.currency());
        if !region.is_empty() {
            price_ctx = price_ctx.with_region(region.clone());
        }
        if let Some(ch) = &req.channel {
            price_ctx = price_ctx.with_channel(ch.clone());
        }
        if let Some(expected) = &req.expected_total {
            if expected.currency() != cart.currency() {
                return Err(KassaError::validation(
                    "expectedTotal.currency",
                    format!(
                        "{} does not match the cart currency {}",
                        expected.currency(),
                        cart.currency()
                    ),
                ));
            }
        }
        let mut variants = Vec::with_capacity(cart.lines().len());
        let lines = cart.pricing_lines_with(&catalog, &price_ctx, |p, v| variants.push((p, v)))?;
        let PricingRules {
            promotions,
            mut coupons,
            tax_rules,
            shipping_rates,
            rounding,
            stacking,
        } = rules;
        let entered: Vec<String> = req
            .coupon_codes
            .iter()
            .filter_map(|c| normalize_code(c).ok())
            .collect();
        for c in coupons.iter_mut() {
            let Ok(code) = normalize_code(&c.code) else {
                continue;
            };
            if !entered.contains(&code) {
                continue;
            }
            if let Some(u) = self.ports.coupons.usage(&code).await? {
                c.times_used = u32_sat(u.times_used());
                c.customer_times_used = u32_sat(u.times_used_by(&actor.id));
            }
        }
        let first_order = if promotions.iter().any(|p| p.conditions.first_order_only) {
            self.is_first_order(&actor.id).await?
        } else {
            false
        };
        let mut input = PricingInput {
            lines,
            promotions,
            coupon_codes: req.coupon_codes.clone(),
            coupons,
            tax_rules,
            shipping_rates,
            shipping_method: req.shipping_method.clone(),
            context: PricingContext {
                region,
                currency: cart.currency(),
                customer_id: Some(actor.id.clone()),
                customer_groups: actor.roles.clone(),
                first_order,
                now: self.now(),
            },
            rounding,
            stacking,
        };
        let priced = price_cart(&input)?;
        for outcome in &priced.coupons {
            if let Some(reason) = outcome.reason.filter(|r| !outcome.applied && blocking(*r)) {
                return Err(KassaError::validation(
                    "couponCodes",
                    format!(
                        "coupon '{}' cannot be used: {}",
                        outcome.code,
                        reason.as_str()
                    ),
                )
                .with_meta("code", outcome.code.clone())
                .with_meta("reason", reason.as_str()));
            }
        }
        if let Some(expected) = &req.expected_total {
            if *expected != priced.totals.grand_total {
                let totals = serde_json::to_value(&priced.totals)
                    .map_err(|e| KassaError::internal(e.to_string()))?;
                return Err(KassaError::conflict(format!(
                    "the total changed: {} now, {} shown",
                    priced.totals.grand_total, expected
                ))
                .with_meta("totals", totals)
                .with_meta("expectedTotal", expected.amount_string()));
            }
        }
        if !priced.totals.grand_total.is_positive() {
            return Err(KassaError::validation(
                "totals.grandTotal",
                "an order must cost more than zero",
            ));
        }
        let coupon_limits = priced
            .coupons
            .iter()
            .filter(|c| c.applied)
            .map(|outcome| {
                let def = input
                    .coupons
                    .iter()
                    .find(|c| normalize_code(&c.code).is_ok_and(|n| n == outcome.code));
                let limits = CouponLimits {
                    overall: def.and_then(|d| d.usage_limit).map(u64::from),
                    per_customer: def.and_then(|d| d.per_customer_limit).map(u64::from),
                };
                (outcome.code.clone(), limits)
            })
            .collect();
        // Priced lines come in input order, so the input line of each is the one beside it;
        // its sku moves into the order line.
        if priced.lines.len() != input.lines.len() || variants.len() != input.lines.len() {
            return Err(KassaError::internal(
                "pricing answered a different number of lines",
            ));
        }
        let mut new_lines = Vec::with_capacity(priced.lines.len());
        let with_variants = input.lines.iter_mut().zip(variants);
        for (l, (p, (product, variant))) in priced.lines.iter().zip(with_variants) {
            if p.line_id != l.line_id {
                return Err(KassaError::internal(format!(
                    "priced line '{}' has no input line",
                    l.line_id
                )));
            }
            let sku = std::mem::take(&mut p.sku);
            new_lines.push(NewOrderLine {
                line_id: l.line_id.to_string(),
                sku,
                product_id: product.id.clone(),
                name: product.name.clone(),
                variant: variant.name.clone(),
                quantity: l.quantity,
                unit_price: l.unit_price,
                discount: l.discount_total(),
                tax: l.tax(),
                total: l.total(),
            });
        }
        Ok((
            Quote {
                priced,
                coupon_limits,
                new_lines,
            },
            stored,
        ))
    }

    pub(super) async fn undo_coupons(&self, codes: &[String], order_id: &str) -> Result<()> {
        for code in codes {
            self.ports.coupons.undo(code, order_id).await?;
        }
        Ok(())
    }

    /// One checkout. With an idempotency key, the key is checkpointed with the order id as
    /// soon as the order exists and before the gateway is called: a duplicate that arrives
    /// after the claim's lock timeout (the holder died mid-charge) then finds that order
    /// instead of creating and charging a second one.
    ///
    /// The writes before the gateway call are one atomic step of the checkout unit of work
    /// ([`crate::ports::CheckoutStore::place`]: reservation, coupon redemptions, order
    /// number and insert, key checkpoint), those after an approval another
    /// ([`crate::ports::CheckoutStore::settle`]). Returns the order and whether the key was
    /// completed with it (by `settle`).
    ///
    /// `preloaded`: the request hash and the inputs read by
    /// [`crate::ports::CheckoutStore::load_keyed`], when `place` is to claim the key (boxed:
    /// the in-memory checkout never has them, and its future stays small).
    async fn checkout_once(
        &self,
        actor: &Principal,
        req: &CheckoutRequest,
        key: Option<&str>,
        preloaded: Option<(String, Box<CheckoutInputs>)>,
    ) -> Result<(Order, bool)> {
        let (claim, inputs) = match preloaded {
            Some((hash, inputs)) => (Some(hash), Some(inputs)),
            None => (None, None),
        };
        let (mut quote, stored) = self.quote(actor, req, inputs).await?;
        let now = self.now();
        let demand = sum_demand(
            "items",
            stored
                .cart
                .lines()
                .iter()
                .map(|l| (l.sku.as_str(), u64::from(l.quantity))),
        )?;
        let order_id = self.ports.ids.next_id("order");
        let reservation_id = self.ports.ids.next_id("reservation");
        let coupons = std::mem::take(&mut quote.coupon_limits);
        let codes: Vec<String> = coupons.iter().map(|(c, _)| c.clone()).collect();
        let (order, attempt) = self.new_order(
            actor,
            req,
            &mut quote,
            &order_id,
            &reservation_id,
            &codes,
            now,
        )?;
        let idempotency = key.map(|key| IdempotencyResponse {
            scope: actor.id.clone(),
            key: key.to_owned(),
            response: serde_json::json!({ "orderId": order_id, "inFlightSince": now }),
        });
        let request = PlaceOrder {
            reservation: ReserveRequest {
                reservation_id,
                reference: order_id,
                items: demand,
                expires_at: now + Duration::seconds(self.config.reservation_ttl_seconds),
            },
            now,
            coupons,
            order,
            number_prefix: self.config.order_number_prefix.clone(),
            idempotency,
            claim,
        };
        let ports = self.ports.checkout_ports();
        let placed = if self.ports.checkout.is_composed() {
            ComposedCheckout::place_with(ports, request).await?
        } else {
            self.ports.checkout.place(ports, request).await?
        };
        let order = placed.order;
        let (number, id) = (order.number.clone(), order.id.clone());
        self.pay(actor, order, attempt, req, &codes, stored, key)
            .await
            .map_err(|e| {
                if e.meta.contains_key("orderId") {
                    e
                } else {
                    e.with_meta("orderId", id).with_meta("orderNumber", number)
                }
            })
    }

    /// The new order (not stored yet; numbered by `place`) with its first payment attempt.
    #[allow(clippy::too_many_arguments)]
    fn new_order(
        &self,
        actor: &Principal,
        req: &CheckoutRequest,
        quote: &mut Quote,
        order_id: &str,
        reservation_id: &str,
        redeemed: &[String],
        now: DateTime<Utc>,
    ) -> Result<(Order, PaymentAttempt)> {
        let t = &quote.priced.totals;
        let mut order = Order::create(
            NewOrder {
                id: order_id.to_owned(),
                number: String::new(),
                customer_id: actor.id.clone(),
                cart_id: Some(req.cart_id.clone()),
                // Moved, not cloned: checkout needs the quoted lines only for the order.
                lines: std::mem::take(&mut quote.new_lines),
                totals: OrderTotals {
                    subtotal: t.subtotal,
                    discount: t.discount_total,
                    tax: t.tax_total,
                    shipping: t.shipping_total,
                    total: t.grand_total,
                },
                coupon_codes: redeemed.to_vec(),
                reservation_id: Some(reservation_id.to_owned()),
            },
            now,
        )?;
        // The first payment attempt is part of the order as written: one store write fewer
        // than inserting the order and then recording the attempt, and the stored order says
        // from its first version that a charge may be under way.
        let attempt = order
            .payment
            .begin_attempt(&order.id, &req.payment_token, now)?;
        Ok((order, attempt))
    }

    /// Calls the gateway and settles the order by its answer. `Ok((order, true))` when the
    /// idempotency key (if any) was completed together with the approved order.
    #[allow(clippy::too_many_arguments)]
    async fn pay(
        &self,
        actor: &Principal,
        order: Order,
        attempt: PaymentAttempt,
        req: &CheckoutRequest,
        redeemed: &[String],
        cart: StoredCart,
        key: Option<&str>,
    ) -> Result<(Order, bool)> {
        let now = self.now();
        let response = self
            .ports
            .gateway
            .authorize(AuthorizeRequest {
                idempotency_key: attempt.idempotency_key.clone(),
                order_id: order.id.clone(),
                amount: order.totals.total,
                payment_token: req.payment_token.clone(),
                capture: self.config.capture_on_checkout,
            })
            .await
            // A transport failure leaves the outcome unknown: the charge may have happened.
            .unwrap_or(GatewayResponse {
                outcome: GatewayOutcome::Unknown,
                gateway_ref: None,
            });
        let reservation_id = order.reservation_id.clone().unwrap_or_default();
        match response.outcome {
            GatewayOutcome::Approved => {
                let capture = self.config.capture_on_checkout;
                let gateway_ref = response.gateway_ref;
                let approved_ref = gateway_ref.clone();
                let approve = move |o: &mut Order| {
                    let stamp = Stamp::new(&actor.id, now, "payment approved");
                    o.payment
                        .record_outcome(attempt.number, AttemptOutcome::Approved)?;
                    let amount = o.totals.total;
                    let gref = approved_ref.clone();
                    if capture {
                        o.with_payment(now, |p, h| {
                            p.authorize_and_capture(amount, gref, h, stamp)
                        })?;
                    } else {
                        o.with_payment(now, |p, h| p.authorize(amount, gref, h, stamp))?;
                    }
                    o.confirm(stamp.because("order placed"))?;
                    Ok(vec![OrderPlaced])
                };
                let (cart_id, cart_version) = (cart.id.clone(), cart.version);
                let mut order = order;
                let events = approve(&mut order)?
                    .iter()
                    .map(|e| e.to_outbox(&order, now))
                    .collect::<Result<Vec<_>>>()?;
                let mut cleared = cart;
                cleared.cart.clear();
                cleared.updated_at = now;
                let order_id = order.id.clone();
                let request = SettleOrder {
                    reservation_id: reservation_id.clone(),
                    now,
                    order,
                    events,
                    cleared_cart: Some(cleared),
                    idempotency: key.map(|key| IdempotencyResponse {
                        scope: actor.id.clone(),
                        key: key.to_owned(),
                        response: serde_json::json!({ "orderId": order_id }),
                    }),
                };
                let ports = self.ports.checkout_ports();
                let settled = if self.ports.checkout.is_composed() {
                    ComposedCheckout::settle_with(ports, request).await?
                } else {
                    self.ports.checkout.settle(ports, request).await?
                };
                match settled {
                    Settled::Done(order) => Ok((order, true)),
                    Settled::StockNotCommitted(e) => {
                        // Boxed: a rare path whose future would otherwise size every
                        // checkout's.
                        Box::pin(self.compensate_paid(actor, &order_id, gateway_ref, e))
                            .await
                            .map(|o| (o, false))
                    }
                    Settled::OrderChanged => {
                        // Someone wrote the order meanwhile: the single-purpose ports, with a
                        // reload and retry of the order write (boxed: rare).
                        Box::pin(self.settle_changed(
                            actor,
                            &order_id,
                            &reservation_id,
                            gateway_ref,
                            approve,
                            &cart_id,
                            cart_version,
                        ))
                        .await
                        .map(|o| (o, false))
                    }
                }
            }
            GatewayOutcome::Declined { code, message } => {
                let order_id = order.id.clone();
                let order = self
                    .mutate_order_from(&order_id, Some(order), |o| {
                        let stamp = Stamp::new(&actor.id, now, "payment declined");
                        o.payment.record_outcome(
                            attempt.number,
                            AttemptOutcome::Declined {
                                code: code.clone(),
                                message: message.clone(),
                            },
                        )?;
                        o.with_payment(now, |p, h| p.fail(h, stamp))?;
                        o.cancel(stamp.because("payment failed"))?;
                        Ok(vec![OrderEvent::PaymentFailed {
                            order: OrderSummary::of(o),
                            attempt: attempt.number,
                            code: code.clone(),
                            message: message.clone(),
                        }])
                    })
                    .await?;
                self.ports.inventory.release(&reservation_id).await?;
                self.undo_coupons(redeemed, &order.id).await?;
                Err(KassaError::new(
                    ErrorCode::PaymentDeclined,
                    format!("payment declined: {message}"),
                )
                .with_meta("orderId", order.id.clone())
                .with_meta("orderNumber", order.number.clone())
                .with_meta("declineCode", code))
            }
            GatewayOutcome::Unknown => {
                let order_id = order.id.clone();
                self.mutate_order_from(&order_id, Some(order), |o| {
                    o.payment
                        .record_outcome(attempt.number, AttemptOutcome::Unknown)?;
                    Ok(Vec::<OrderEvent>::new())
                })
                .await
                .map(|o| (o, false))
            }
        }
    }

    /// The approved path through the single-purpose ports, when the order changed between
    /// `place` and `settle`: commit the stock (idempotent), write the order with a reload and
    /// retry on conflicts, clear the cart if unchanged. The caller completes the key.
    #[allow(clippy::too_many_arguments)]
    async fn settle_changed<F>(
        &self,
        actor: &Principal,
        order_id: &str,
        reservation_id: &str,
        gateway_ref: Option<String>,
        approve: F,
        cart_id: &str,
        cart_version: u64,
    ) -> Result<Order>
    where
        F: FnMut(&mut Order) -> Result<Vec<OrderPlaced>>,
    {
        if let Err(e) = self
            .ports
            .inventory
            .commit(reservation_id, self.now())
            .await
        {
            return self.compensate_paid(actor, order_id, gateway_ref, e).await;
        }
        let order = self.mutate_order(order_id, approve).await?;
        self.clear_cart(cart_id, cart_version).await?;
        Ok(order)
    }

    /// The cart is emptied only if nobody changed it since checkout read it.
    pub(super) async fn clear_cart(&self, cart_id: &str, version: u64) -> Result<()> {
        let Some(mut stored) = self.ports.carts.get(cart_id).await? else {
            return Ok(());
        };
        if stored.version != version {
            return Ok(());
        }
        stored.cart.clear();
        stored.updated_at = self.now();
        match self.ports.carts.save(stored).await {
            Ok(_) => Ok(()),
            Err(e) if e.code == ErrorCode::Conflict => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The gateway took the money but the stock could not be committed (the reservation
    /// expired): give the money back, cancel the order, give coupons back.
    pub(super) async fn compensate_paid(
        &self,
        actor: &Principal,
        order_id: &str,
        gateway_ref: Option<String>,
        cause: KassaError,
    ) -> Result<Order> {
        let order = self.load_order(order_id).await?;
        let gref = gateway_ref.or(order.payment.gateway_ref.clone());
        if let Some(r) = &gref {
            // Void first; a captured charge refuses the void and is refunded instead.
            let void = self
                .ports
                .gateway
                .void(&format!("{order_id}:compensate:void"), r)
                .await?;
            if !matches!(void.outcome, GatewayOutcome::Approved) {
                self.ports
                    .gateway
                    .refund(
                        &format!("{order_id}:compensate:refund"),
                        r,
                        order.totals.total,
                    )
                    .await?;
            }
        }
        let now = self.now();
        let order = self
            .mutate_order(order_id, |o| {
                let stamp = Stamp::new(
                    &actor.id,
                    now,
                    "stock reservation expired before payment settled",
                );
                if let Some(last) = o.payment.attempts.last().map(|a| a.number) {
                    o.payment.record_outcome(last, AttemptOutcome::Approved)?;
                }
                if o.payment.status == PaymentStatus::Pending {
                    o.with_payment(now, |p, h| p.void(h, stamp))?;
                }
                if o.status != OrderStatus::Cancelled {
                    o.cancel(stamp)?;
                }
                Ok(vec![OrderEvent::OrderCancelled {
                    order: OrderSummary::of(o),
                    reason: stamp.reason.to_owned(),
                }])
            })
            .await?;
        self.undo_coupons(&order.coupon_codes, order_id).await?;
        Err(KassaError::conflict(format!(
            "the order could not be completed: {}",
            cause.message
        ))
        .with_meta("orderId", order.id.clone())
        .with_meta("orderNumber", order.number.clone()))
    }
}
