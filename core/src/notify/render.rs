//! Rendered messages from overridable templates.

use super::account::AccountEvent;
use super::events::OrderEvent;
use crate::error::{KassaError, Result};
use crate::identity::TokenPurpose;
#[cfg(feature = "templates")]
use minijinja::{AutoEscape, Environment};
use serde::{Deserialize, Serialize};

/// Which message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Sent for `order_placed`.
    OrderConfirmation,
    /// Sent for `order_status_changed` and `order_cancelled`.
    StatusChange,
    /// Sent for `payment_failed`.
    PaymentFailure,
    /// Sent for `email_verification_requested` (context: the [`AccountEvent`] fields).
    EmailVerification,
    /// Sent for `password_reset_requested` (context: the [`AccountEvent`] fields).
    PasswordReset,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 5] = [
        MessageKind::OrderConfirmation,
        MessageKind::StatusChange,
        MessageKind::PaymentFailure,
        MessageKind::EmailVerification,
        MessageKind::PasswordReset,
    ];

    /// The stable name (template names are `<name>.<part>`).
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageKind::OrderConfirmation => "order_confirmation",
            MessageKind::StatusChange => "status_change",
            MessageKind::PaymentFailure => "payment_failure",
            MessageKind::EmailVerification => "email_verification",
            MessageKind::PasswordReset => "password_reset",
        }
    }
}

/// Which part of a message a template renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "snake_case")]
pub enum TemplatePart {
    /// One-line subject.
    Subject,
    /// Plain text body.
    Text,
    /// HTML body (values are HTML-escaped).
    Html,
}

impl TemplatePart {
    /// Every part.
    pub const ALL: [TemplatePart; 3] = [
        TemplatePart::Subject,
        TemplatePart::Text,
        TemplatePart::Html,
    ];

    #[cfg(feature = "templates")]
    const fn suffix(self) -> &'static str {
        match self {
            TemplatePart::Subject => "subject",
            TemplatePart::Text => "txt",
            TemplatePart::Html => "html",
        }
    }
}

/// A message ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct RenderedMessage {
    /// Which message.
    pub kind: MessageKind,
    /// The customer (user id) to send it to.
    pub customer_id: String,
    /// Subject line.
    pub subject: String,
    /// Plain text body.
    pub text: String,
    /// HTML body.
    pub html: String,
}

#[cfg(feature = "templates")]
const LINES_TXT: &str = "{% for l in order.lines %}- {{ l.quantity }} x {{ l.name }}{% if l.variant %} {{ l.variant }}{% endif %} ({{ l.sku }}): {{ l.total.amount }} {{ l.total.currency }}\n{% endfor %}";
#[cfg(feature = "templates")]
const LINES_HTML: &str = "<ul>{% for l in order.lines %}<li>{{ l.quantity }} &times; {{ l.name }}{% if l.variant %} {{ l.variant }}{% endif %} ({{ l.sku }}): {{ l.total.amount }} {{ l.total.currency }}</li>{% endfor %}</ul>";

#[cfg(feature = "templates")]
fn defaults() -> Vec<(MessageKind, TemplatePart, String)> {
    use MessageKind::*;
    use TemplatePart::*;
    vec![
        (OrderConfirmation, Subject, "Order {{ order.orderNumber }} confirmed".into()),
        (
            OrderConfirmation,
            Text,
            format!("Thank you for your order {{{{ order.orderNumber }}}}.\n\n{LINES_TXT}\nTotal: {{{{ order.total.amount }}}} {{{{ order.total.currency }}}}\n"),
        ),
        (
            OrderConfirmation,
            Html,
            format!("<h1>Thank you for your order {{{{ order.orderNumber }}}}</h1>{LINES_HTML}<p>Total: <strong>{{{{ order.total.amount }}}} {{{{ order.total.currency }}}}</strong></p>"),
        ),
        (
            StatusChange,
            Subject,
            "Order {{ order.orderNumber }}: {{ machine }} is now {{ to | replace('_', ' ') }}".into(),
        ),
        (
            StatusChange,
            Text,
            "The {{ machine }} status of your order {{ order.orderNumber }} {% if from %}changed from {{ from | replace('_', ' ') }} to{% else %}is now{% endif %} {{ to | replace('_', ' ') }}.{% if reason %}\nReason: {{ reason }}{% endif %}\n".into(),
        ),
        (
            StatusChange,
            Html,
            "<p>The {{ machine }} status of your order <strong>{{ order.orderNumber }}</strong> {% if from %}changed from {{ from | replace('_', ' ') }} to{% else %}is now{% endif %} <strong>{{ to | replace('_', ' ') }}</strong>.</p>{% if reason %}<p>Reason: {{ reason }}</p>{% endif %}".into(),
        ),
        (PaymentFailure, Subject, "Payment for order {{ order.orderNumber }} failed".into()),
        (
            PaymentFailure,
            Text,
            "We could not take the payment of {{ order.total.amount }} {{ order.total.currency }} for order {{ order.orderNumber }}: {{ message }}.\nYour cart is kept; please try another payment method.\n".into(),
        ),
        (
            PaymentFailure,
            Html,
            "<p>We could not take the payment of {{ order.total.amount }} {{ order.total.currency }} for order <strong>{{ order.orderNumber }}</strong>: {{ message }}.</p><p>Your cart is kept; please try another payment method.</p>".into(),
        ),
        (EmailVerification, Subject, "Confirm your email address".into()),
        (
            EmailVerification,
            Text,
            "Please confirm {{ email }} with this code: {{ token }}\nIt expires at {{ expiresAt }}. If you did not create an account, ignore this message.\n".into(),
        ),
        (
            EmailVerification,
            Html,
            "<p>Please confirm <strong>{{ email }}</strong> with this code:</p><p><code>{{ token }}</code></p><p>It expires at {{ expiresAt }}. If you did not create an account, ignore this message.</p>".into(),
        ),
        (PasswordReset, Subject, "Reset your password".into()),
        (
            PasswordReset,
            Text,
            "A password reset was requested for {{ email }}. Use this code to choose a new password: {{ token }}\nIt expires at {{ expiresAt }}. If you did not ask for it, ignore this message; your password stays unchanged.\n".into(),
        ),
        (
            PasswordReset,
            Html,
            "<p>A password reset was requested for <strong>{{ email }}</strong>. Use this code to choose a new password:</p><p><code>{{ token }}</code></p><p>It expires at {{ expiresAt }}. If you did not ask for it, ignore this message; your password stays unchanged.</p>".into(),
        ),
    ]
}

#[cfg(feature = "templates")]
fn name(kind: MessageKind, part: TemplatePart) -> String {
    format!("{}.{}", kind.as_str(), part.suffix())
}

#[cfg(feature = "templates")]
fn template_error(field: &str, e: &minijinja::Error) -> KassaError {
    KassaError::validation(field, format!("template error: {e}"))
}

/// Renders notification messages. Built with default English templates; a host overrides
/// any of the fifteen (5 kinds × subject/text/html) with [`Notifier::set_template`].
///
/// Without the cargo feature `templates` (minijinja) there are no templates: every method
/// that would parse or render one is `UNSUPPORTED` (`meta.feature = "templates"`); only the
/// events without a message (refunds) still answer `None`.
#[derive(Debug)]
pub struct Notifier {
    #[cfg(feature = "templates")]
    env: Environment<'static>,
}

#[cfg(not(feature = "templates"))]
fn templates_off() -> KassaError {
    KassaError::unsupported("rendering notification templates", "templates")
}

impl Notifier {
    /// A notifier with the default templates.
    #[cfg(not(feature = "templates"))]
    pub fn new() -> Result<Self> {
        Ok(Notifier {})
    }

    /// A notifier with the default templates.
    #[cfg(feature = "templates")]
    pub fn new() -> Result<Self> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        let mut n = Notifier { env };
        for (kind, part, source) in defaults() {
            n.set_template(kind, part, &source)?;
        }
        Ok(n)
    }

    /// Replaces one template; a syntax error is a `VALIDATION_ERROR` naming the template.
    #[cfg(not(feature = "templates"))]
    pub fn set_template(
        &mut self,
        _kind: MessageKind,
        _part: TemplatePart,
        _source: &str,
    ) -> Result<()> {
        Err(templates_off())
    }

    /// Replaces one template; a syntax error is a `VALIDATION_ERROR` naming the template.
    #[cfg(feature = "templates")]
    pub fn set_template(
        &mut self,
        kind: MessageKind,
        part: TemplatePart,
        source: &str,
    ) -> Result<()> {
        let n = name(kind, part);
        self.env
            .add_template_owned(n.clone(), source.to_owned())
            .map_err(|e| template_error(&n, &e))
    }

    /// The message for an event, if the event has one (refunds have none by default).
    pub fn render(&self, event: &OrderEvent) -> Result<Option<RenderedMessage>> {
        let kind = match event {
            OrderEvent::OrderPlaced { .. } => MessageKind::OrderConfirmation,
            OrderEvent::PaymentFailed { .. } => MessageKind::PaymentFailure,
            OrderEvent::OrderStatusChanged { .. } => MessageKind::StatusChange,
            OrderEvent::OrderCancelled { order, reason } => {
                let as_change = OrderEvent::OrderStatusChanged {
                    order: order.clone(),
                    machine: crate::order::Machine::Order,
                    from: String::new(),
                    to: "cancelled".into(),
                    actor: String::new(),
                    reason: reason.clone(),
                    sequence: 0,
                };
                return self
                    .render_kind(MessageKind::StatusChange, &as_change)
                    .map(Some);
            }
            OrderEvent::RefundIssued { .. } => return Ok(None),
        };
        self.render_kind(kind, event).map(Some)
    }

    /// The message of an account event (email verification or password reset). Hosts
    /// usually override these templates to put `{{ token }}` into a link of their site.
    pub fn render_account(&self, event: &AccountEvent) -> Result<RenderedMessage> {
        let kind = match event.purpose {
            TokenPurpose::EmailVerification => MessageKind::EmailVerification,
            TokenPurpose::PasswordReset => MessageKind::PasswordReset,
        };
        self.render_value(kind, event, &event.user_id)
    }

    fn render_kind(&self, kind: MessageKind, event: &OrderEvent) -> Result<RenderedMessage> {
        self.render_value(kind, event, &event.order().customer_id)
    }

    #[cfg(not(feature = "templates"))]
    fn render_value<T: Serialize>(
        &self,
        _kind: MessageKind,
        _event: &T,
        _customer_id: &str,
    ) -> Result<RenderedMessage> {
        Err(templates_off())
    }

    #[cfg(feature = "templates")]
    fn render_value<T: Serialize>(
        &self,
        kind: MessageKind,
        event: &T,
        customer_id: &str,
    ) -> Result<RenderedMessage> {
        let ctx = serde_json::to_value(event).map_err(|e| KassaError::internal(e.to_string()))?;
        let ctx = minijinja::Value::from_serialize(&ctx);
        let part = |p: TemplatePart| -> Result<String> {
            let n = name(kind, p);
            let t = self
                .env
                .get_template(&n)
                .map_err(|e| template_error(&n, &e))?;
            t.render(&ctx).map_err(|e| template_error(&n, &e))
        };
        Ok(RenderedMessage {
            kind,
            customer_id: customer_id.to_owned(),
            subject: part(TemplatePart::Subject)?.trim().to_owned(),
            text: part(TemplatePart::Text)?,
            html: part(TemplatePart::Html)?,
        })
    }
}

#[cfg(test)]
#[cfg(feature = "templates")]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use crate::notify::{OrderSummary, SummaryLine};
    use crate::order::{FulfillmentStatus, OrderStatus, PaymentStatus};

    fn summary() -> OrderSummary {
        let usd = |m| Money::from_minor(m, Currency::from_code("USD").unwrap());
        OrderSummary {
            order_id: "order_1".into(),
            order_number: "KS-000001".into(),
            customer_id: "cust_1".into(),
            status: OrderStatus::Confirmed,
            payment_status: PaymentStatus::Captured,
            fulfillment_status: FulfillmentStatus::Unfulfilled,
            subtotal: usd(1000),
            discount: usd(0),
            tax: usd(0),
            shipping: usd(0),
            total: usd(1000),
            lines: vec![SummaryLine {
                sku: "A".into(),
                name: "<Mug>".into(),
                variant: String::new(),
                quantity: 2,
                total: usd(1000),
            }],
        }
    }

    #[test]
    fn renders_defaults_with_html_escaping() {
        let n = Notifier::new().unwrap();
        let m = n
            .render(&OrderEvent::OrderPlaced { order: summary() })
            .unwrap()
            .unwrap();
        assert_eq!(m.subject, "Order KS-000001 confirmed");
        assert!(m.text.contains("2 x <Mug> (A): 10.00 USD"), "{}", m.text);
        assert!(m.html.contains("&lt;Mug&gt;"), "{}", m.html);
        assert_eq!(m.customer_id, "cust_1");
    }

    #[test]
    fn host_can_override_and_bad_templates_are_refused() {
        let mut n = Notifier::new().unwrap();
        n.set_template(
            MessageKind::PaymentFailure,
            TemplatePart::Subject,
            "Zahlung fehlgeschlagen: {{ order.orderNumber }}",
        )
        .unwrap();
        let ev = OrderEvent::PaymentFailed {
            order: summary(),
            attempt: 1,
            code: "card_declined".into(),
            message: "declined".into(),
        };
        assert_eq!(
            n.render(&ev).unwrap().unwrap().subject,
            "Zahlung fehlgeschlagen: KS-000001"
        );
        let err = n
            .set_template(MessageKind::StatusChange, TemplatePart::Text, "{% if %}")
            .unwrap_err();
        assert_eq!(err.details[0].field, "status_change.txt");
    }

    #[test]
    fn status_change_message() {
        let n = Notifier::new().unwrap();
        let ev = OrderEvent::OrderStatusChanged {
            order: summary(),
            machine: crate::order::Machine::Fulfillment,
            from: "unfulfilled".into(),
            to: "partially_fulfilled".into(),
            actor: "admin".into(),
            reason: "first parcel".into(),
            sequence: 3,
        };
        let m = n.render(&ev).unwrap().unwrap();
        assert_eq!(
            m.subject,
            "Order KS-000001: fulfillment is now partially fulfilled"
        );
        assert!(m.text.contains("Reason: first parcel"));
        assert_eq!(ev.event_id(), "order_1:status_changed:3");
    }
}
