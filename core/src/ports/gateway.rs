//! The payment gateway port.

use super::health::PortHealth;
use crate::error::Result;
use crate::money::Money;
use serde::{Deserialize, Serialize};

/// Authorize (and optionally capture) a payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizeRequest {
    /// Idempotency key (per order and attempt): a retry with the same key never charges twice.
    pub idempotency_key: String,
    /// The merchant reference (order id), echoed in gateway events.
    pub order_id: String,
    /// Amount.
    pub amount: Money,
    /// Payment method token.
    pub payment_token: String,
    /// Capture at once.
    pub capture: bool,
}

/// The gateway's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum GatewayOutcome {
    /// Done.
    Approved,
    /// Refused with a definite answer: no money moved.
    Declined {
        /// Reason code (`"card_declined"`, `"insufficient_funds"`, `"processing_error"`).
        code: String,
        /// Human-readable reason.
        message: String,
    },
    /// No definite answer (timeout): a gateway event settles it later.
    Unknown,
}

/// What a gateway call returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct GatewayResponse {
    /// The outcome.
    pub outcome: GatewayOutcome,
    /// The gateway's reference of the charge (or refund), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_ref: Option<String>,
}

/// Create (or find) the customer at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CreateCustomerRequest {
    /// Idempotency key: a retry returns the same customer.
    pub idempotency_key: String,
    /// The host's customer id (merchant reference).
    pub customer_id: String,
    /// Email, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The payment method token to attach.
    pub payment_token: String,
}

/// Record a subscription at the provider. Kassa stays the billing engine of record: the
/// provider's subscription mirrors Kassa's for reconciliation and must not charge on its
/// own; Kassa charges each invoice through [`PaymentGateway::authorize`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct CreateSubscriptionRequest {
    /// Idempotency key: a retry returns the same subscription.
    pub idempotency_key: String,
    /// Kassa's subscription id (merchant reference).
    pub subscription_id: String,
    /// The provider's customer reference, when it keeps customers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_ref: Option<String>,
    /// The plan id.
    pub plan_id: String,
    /// Price per period for all seats.
    pub amount_per_period: Money,
    /// Seats.
    pub quantity: u32,
}

/// A payment gateway. Every call carries an idempotency key; a transport failure should be
/// an `UNAVAILABLE` error (the engine then treats the outcome as unknown).
#[cfg_attr(not(target_arch = "wasm32"), async_trait::async_trait)]
#[cfg_attr(target_arch = "wasm32", async_trait::async_trait(?Send))]
pub trait PaymentGateway: Send + Sync {
    /// Authorizes (and with `capture`, captures) a payment.
    async fn authorize(&self, request: AuthorizeRequest) -> Result<GatewayResponse>;
    /// Captures `amount` of an authorization.
    async fn capture(
        &self,
        idempotency_key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> Result<GatewayResponse>;
    /// Releases an authorization.
    async fn void(&self, idempotency_key: &str, gateway_ref: &str) -> Result<GatewayResponse>;
    /// Refunds `amount` of a capture.
    async fn refund(
        &self,
        idempotency_key: &str,
        gateway_ref: &str,
        amount: Money,
    ) -> Result<GatewayResponse>;
    /// Creates the customer at the provider. The default is for gateways that keep no
    /// customer objects: approved, no reference (Kassa charges the stored token).
    async fn create_customer(&self, request: CreateCustomerRequest) -> Result<GatewayResponse> {
        let _ = request;
        Ok(GatewayResponse {
            outcome: GatewayOutcome::Approved,
            gateway_ref: None,
        })
    }
    /// Records a subscription at the provider. The default keeps no record: approved, no
    /// reference.
    async fn create_subscription(
        &self,
        request: CreateSubscriptionRequest,
    ) -> Result<GatewayResponse> {
        let _ = request;
        Ok(GatewayResponse {
            outcome: GatewayOutcome::Approved,
            gateway_ref: None,
        })
    }
    /// Health.
    async fn health(&self) -> PortHealth;
}
