//! The sandbox payment gateway: deterministic test card tokens, idempotency keys honoured,
//! capture and refund bounds enforced, and webhook-style events for settling unknown outcomes.
//!
//! | token | authorize answers |
//! |---|---|
//! | [`TOKEN_APPROVE`] `tok_approve` | approved |
//! | [`TOKEN_DECLINE`] `tok_decline` | declined, code `card_declined` |
//! | [`TOKEN_INSUFFICIENT_FUNDS`] `tok_insufficient_funds` | declined, code `insufficient_funds` |
//! | [`TOKEN_PROCESSING_ERROR`] `tok_processing_error` | declined, code `processing_error` (no money moved) |
//! | [`TOKEN_TIMEOUT`] `tok_timeout` | unknown outcome; settle later with [`SandboxGateway::settle`] |
//! | anything else | declined, code `invalid_payment_token` |

use super::lock::lock;
use crate::error::{KassaError, Result};
use crate::money::Money;
use crate::payment::{GatewayEvent, GatewayEventKind};
use crate::ports::{
    AuthorizeRequest, CreateCustomerRequest, CreateSubscriptionRequest, GatewayOutcome,
    GatewayResponse, PaymentGateway, PortHealth,
};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

/// Approved.
pub const TOKEN_APPROVE: &str = "tok_approve";
/// Declined (`card_declined`).
pub const TOKEN_DECLINE: &str = "tok_decline";
/// Declined (`insufficient_funds`).
pub const TOKEN_INSUFFICIENT_FUNDS: &str = "tok_insufficient_funds";
/// Declined (`processing_error`).
pub const TOKEN_PROCESSING_ERROR: &str = "tok_processing_error";
/// Timeout: the outcome is unknown until settled.
pub const TOKEN_TIMEOUT: &str = "tok_timeout";

/// One charge as the sandbox sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCharge {
    /// The gateway reference.
    pub gateway_ref: String,
    /// The merchant reference.
    pub order_id: String,
    /// Authorized amount (zero while a timed-out charge is unsettled or after it failed).
    pub authorized: Money,
    /// Captured amount.
    pub captured: Money,
    /// Refunded amount.
    pub refunded: Money,
    /// Whether the authorization was released.
    pub voided: bool,
    /// A timed-out charge waiting for [`SandboxGateway::settle`]: `(amount, capture)`.
    pub unsettled: Option<(Money, bool)>,
}

/// A customer as the sandbox keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCustomer {
    /// `cus_N`.
    pub customer_ref: String,
    /// The host's customer id.
    pub customer_id: String,
    /// The attached payment token.
    pub payment_token: String,
}

/// A subscription record as the sandbox keeps it (it never charges on its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxSubscription {
    /// `sub_N`.
    pub subscription_ref: String,
    /// Kassa's subscription id.
    pub subscription_id: String,
    /// The customer reference.
    pub customer_ref: Option<String>,
    /// Plan id.
    pub plan_id: String,
    /// Price per period.
    pub amount_per_period: Money,
}

#[derive(Debug, Default)]
struct State {
    responses: HashMap<String, (String, GatewayResponse)>,
    charges: HashMap<String, SandboxCharge>,
    next_ref: u64,
    next_event: u64,
    customers: Vec<SandboxCustomer>,
    subscriptions: Vec<SandboxSubscription>,
    down: bool,
    calls: u64,
}

/// The sandbox gateway (thread-safe).
#[derive(Debug, Default)]
pub struct SandboxGateway {
    state: Mutex<State>,
}

fn approved(gateway_ref: &str) -> GatewayResponse {
    GatewayResponse {
        outcome: GatewayOutcome::Approved,
        gateway_ref: Some(gateway_ref.to_owned()),
    }
}

fn declined(code: &str, message: &str, gateway_ref: Option<String>) -> GatewayResponse {
    GatewayResponse {
        outcome: GatewayOutcome::Declined {
            code: code.to_owned(),
            message: message.to_owned(),
        },
        gateway_ref,
    }
}

impl SandboxGateway {
    /// A sandbox with no charges.
    pub fn new() -> Self {
        SandboxGateway::default()
    }

    /// Makes every call fail with `UNAVAILABLE` (and health report down) until set back.
    pub fn set_down(&self, down: bool) {
        if let Ok(mut s) = lock(&self.state, "gateway") {
            s.down = down;
        }
    }

    /// Calls that reached the sandbox (idempotent replays included).
    pub fn calls(&self) -> u64 {
        lock(&self.state, "gateway").map(|s| s.calls).unwrap_or(0)
    }

    /// Every charge (one per distinct authorize idempotency key that created one).
    pub fn charges(&self) -> Vec<SandboxCharge> {
        lock(&self.state, "gateway")
            .map(|s| s.charges.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The charges of one order.
    pub fn charges_for(&self, order_id: &str) -> Vec<SandboxCharge> {
        self.charges()
            .into_iter()
            .filter(|c| c.order_id == order_id)
            .collect()
    }

    /// Customers created through [`PaymentGateway::create_customer`].
    pub fn customers(&self) -> Vec<SandboxCustomer> {
        lock(&self.state, "gateway")
            .map(|s| s.customers.clone())
            .unwrap_or_default()
    }

    /// Subscriptions recorded through [`PaymentGateway::create_subscription`].
    pub fn subscriptions(&self) -> Vec<SandboxSubscription> {
        lock(&self.state, "gateway")
            .map(|s| s.subscriptions.clone())
            .unwrap_or_default()
    }

    /// Settles every timed-out charge of `order_id`: approved (authorized, and captured if the
    /// request asked to) or failed. Returns the webhook events the gateway would send.
    pub fn settle(
        &self,
        order_id: &str,
        approve: bool,
        at: DateTime<Utc>,
    ) -> Result<Vec<GatewayEvent>> {
        let mut s = lock(&self.state, "gateway")?;
        let mut out = Vec::new();
        let refs: Vec<String> = s
            .charges
            .values()
            .filter(|c| c.order_id == order_id && c.unsettled.is_some())
            .map(|c| c.gateway_ref.clone())
            .collect();
        for r in refs {
            let Some(charge) = s.charges.get_mut(&r) else {
                continue;
            };
            let Some((amount, capture)) = charge.unsettled.take() else {
                continue;
            };
            let kind = if !approve {
                GatewayEventKind::Failed {
                    code: "card_declined".into(),
                    message: "the card was declined".into(),
                }
            } else if capture {
                charge.authorized = amount;
                charge.captured = amount;
                GatewayEventKind::Captured {
                    total_captured: amount,
                }
            } else {
                charge.authorized = amount;
                GatewayEventKind::Authorized { amount }
            };
            s.next_event += 1;
            out.push(GatewayEvent {
                event_id: format!("evt_{}", s.next_event),
                order_id: order_id.to_owned(),
                gateway_ref: Some(r),
                kind,
                occurred_at: at,
            });
        }
        Ok(out)
    }

    fn enter(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        let mut s = lock(&self.state, "gateway")?;
        s.calls += 1;
        if s.down {
            return Err(KassaError::unavailable("sandbox gateway is down", 1));
        }
        Ok(s)
    }

    fn replay(s: &State, key: &str, fingerprint: &str) -> Result<Option<GatewayResponse>> {
        if key.trim().is_empty() {
            return Err(KassaError::validation(
                "idempotencyKey",
                "must not be empty",
            ));
        }
        match s.responses.get(key) {
            Some((fp, _)) if fp != fingerprint => Err(KassaError::conflict(
                "idempotency key reused with a different gateway request",
            )),
            Some((_, resp)) => Ok(Some(resp.clone())),
            None => Ok(None),
        }
    }

    fn remember(s: &mut State, key: &str, fingerprint: String, resp: &GatewayResponse) {
        s.responses
            .insert(key.to_owned(), (fingerprint, resp.clone()));
    }

    fn charge_mut<'a>(s: &'a mut State, gateway_ref: &str) -> Result<&'a mut SandboxCharge> {
        s.charges
            .get_mut(gateway_ref)
            .ok_or_else(|| KassaError::not_found("charge", gateway_ref))
    }

    /// One idempotent operation on an existing charge: a replay of the same key and request
    /// answers the stored response; otherwise `decide` changes the charge and its response
    /// is remembered under the key.
    fn on_charge(
        &self,
        idempotency_key: &str,
        fingerprint: String,
        gateway_ref: &str,
        decide: impl FnOnce(&mut SandboxCharge) -> Result<GatewayResponse>,
    ) -> Result<GatewayResponse> {
        let mut s = self.enter()?;
        if let Some(r) = Self::replay(&s, idempotency_key, &fingerprint)? {
            return Ok(r);
        }
        let resp = decide(Self::charge_mut(&mut s, gateway_ref)?)?;
        Self::remember(&mut s, idempotency_key, fingerprint, &resp);
        Ok(resp)
    }
}

#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
impl PaymentGateway for SandboxGateway {
    async fn authorize(&self, req: AuthorizeRequest) -> Result<GatewayResponse> {
        let mut s = self.enter()?;
        // The request's fingerprint, `authorize|{order}|{amount}|{token}|{capture}`, built
        // without `format!` (every checkout passes here).
        let mut fp = ["authorize|", req.order_id.as_str(), "|"].concat();
        fp.reserve(req.payment_token.len() + 40);
        req.amount.push_display(&mut fp);
        fp.push('|');
        fp.push_str(&req.payment_token);
        fp.push_str(if req.capture { "|true" } else { "|false" });
        if let Some(r) = Self::replay(&s, &req.idempotency_key, &fp)? {
            return Ok(r);
        }
        let zero = Money::zero(req.amount.currency());
        let resp = match req.payment_token.as_str() {
            TOKEN_APPROVE | TOKEN_TIMEOUT => {
                s.next_ref += 1;
                let gateway_ref = crate::text::with_number(&["ch_"], s.next_ref, 0);
                let timeout = req.payment_token == TOKEN_TIMEOUT;
                let settled = if timeout { zero } else { req.amount };
                s.charges.insert(
                    gateway_ref.clone(),
                    SandboxCharge {
                        gateway_ref: gateway_ref.clone(),
                        order_id: req.order_id.clone(),
                        authorized: settled,
                        captured: if req.capture { settled } else { zero },
                        refunded: zero,
                        voided: false,
                        unsettled: timeout.then_some((req.amount, req.capture)),
                    },
                );
                if timeout {
                    GatewayResponse {
                        outcome: GatewayOutcome::Unknown,
                        gateway_ref: None,
                    }
                } else {
                    approved(&gateway_ref)
                }
            }
            TOKEN_DECLINE => declined("card_declined", "the card was declined", None),
            TOKEN_INSUFFICIENT_FUNDS => declined(
                "insufficient_funds",
                "the card has insufficient funds",
                None,
            ),
            TOKEN_PROCESSING_ERROR => {
                declined("processing_error", "the card could not be processed", None)
            }
            _ => declined("invalid_payment_token", "unknown payment token", None),
        };
        Self::remember(&mut s, &req.idempotency_key, fp, &resp);
        Ok(resp)
    }

    async fn capture(
        &self,
        idempotency_key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> Result<GatewayResponse> {
        let fp = format!("capture|{gateway_ref}|{amount}");
        self.on_charge(idempotency_key, fp, gateway_ref, |c| {
            let next = c.captured.checked_add(&amount)?;
            Ok(
                if c.voided || next.amount() > c.authorized.amount() || !amount.is_positive() {
                    declined(
                        "amount_too_large",
                        "capture exceeds the authorization",
                        Some(gateway_ref.to_owned()),
                    )
                } else {
                    c.captured = next;
                    approved(gateway_ref)
                },
            )
        })
    }

    async fn void(&self, idempotency_key: &str, gateway_ref: &str) -> Result<GatewayResponse> {
        let fp = format!("void|{gateway_ref}");
        self.on_charge(idempotency_key, fp, gateway_ref, |c| {
            Ok(if c.captured.is_positive() {
                declined(
                    "already_captured",
                    "a captured charge cannot be voided",
                    Some(gateway_ref.to_owned()),
                )
            } else {
                c.voided = true;
                c.unsettled = None;
                approved(gateway_ref)
            })
        })
    }

    async fn refund(
        &self,
        idempotency_key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> Result<GatewayResponse> {
        let fp = format!("refund|{gateway_ref}|{amount}");
        self.on_charge(idempotency_key, fp, gateway_ref, |c| {
            let next = c.refunded.checked_add(&amount)?;
            Ok(
                if next.amount() > c.captured.amount() || !amount.is_positive() {
                    declined(
                        "amount_too_large",
                        "refund exceeds the captured amount",
                        Some(gateway_ref.to_owned()),
                    )
                } else {
                    c.refunded = next;
                    approved(gateway_ref)
                },
            )
        })
    }

    async fn create_customer(&self, req: CreateCustomerRequest) -> Result<GatewayResponse> {
        let mut s = self.enter()?;
        let fp = format!("customer|{}|{}", req.customer_id, req.payment_token);
        if let Some(r) = Self::replay(&s, &req.idempotency_key, &fp)? {
            return Ok(r);
        }
        let resp = match req.payment_token.as_str() {
            TOKEN_APPROVE
            | TOKEN_DECLINE
            | TOKEN_INSUFFICIENT_FUNDS
            | TOKEN_PROCESSING_ERROR
            | TOKEN_TIMEOUT => {
                let customer_ref = format!("cus_{}", s.customers.len() + 1);
                s.customers.push(SandboxCustomer {
                    customer_ref: customer_ref.clone(),
                    customer_id: req.customer_id.clone(),
                    payment_token: req.payment_token.clone(),
                });
                approved(&customer_ref)
            }
            _ => declined("invalid_payment_token", "unknown payment token", None),
        };
        Self::remember(&mut s, &req.idempotency_key, fp, &resp);
        Ok(resp)
    }

    async fn create_subscription(&self, req: CreateSubscriptionRequest) -> Result<GatewayResponse> {
        let mut s = self.enter()?;
        let fp = format!(
            "subscription|{}|{}|{}",
            req.customer_ref.as_deref().unwrap_or(""),
            req.plan_id,
            req.amount_per_period
        );
        if let Some(r) = Self::replay(&s, &req.idempotency_key, &fp)? {
            return Ok(r);
        }
        let subscription_ref = format!("sub_{}", s.subscriptions.len() + 1);
        s.subscriptions.push(SandboxSubscription {
            subscription_ref: subscription_ref.clone(),
            subscription_id: req.subscription_id.clone(),
            customer_ref: req.customer_ref.clone(),
            plan_id: req.plan_id.clone(),
            amount_per_period: req.amount_per_period,
        });
        let resp = approved(&subscription_ref);
        Self::remember(&mut s, &req.idempotency_key, fp, &resp);
        Ok(resp)
    }

    async fn health(&self) -> PortHealth {
        match lock(&self.state, "gateway") {
            Ok(s) if s.down => PortHealth::down("paymentGateway", "sandbox set down"),
            Ok(s) => PortHealth::up(
                "paymentGateway",
                format!("sandbox, {} charges", s.charges.len()),
            ),
            Err(e) => PortHealth::down("paymentGateway", e.message),
        }
    }
}
