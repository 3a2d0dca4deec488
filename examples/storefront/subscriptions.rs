//! Act 10 of the storefront: a subscription — subscribe, upgrade mid-period, a failed
//! renewal and its recovery — on the same in-memory ports and sandbox gateway.

use super::Result;
use chrono::{DateTime, TimeZone, Utc};
use kassa::billing::{Interval, Invoice, Plan, Subscription};
use kassa::engine::{
    Billing, BillingConfig, ChangePlanRequest, Principal, SubscribeRequest, SubscriptionEvent,
};
use kassa::memory::{InMemory, TOKEN_APPROVE, TOKEN_DECLINE};
use kassa::{KassaError, Money};

fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn plan(id: &str, name: &str, price: &str) -> Result<Plan> {
    Ok(Plan {
        id: id.into(),
        name: name.into(),
        price: Money::parse(price, "EUR")?,
        interval: Interval::Month,
        interval_count: 1,
        trial_days: 0,
        tax_inclusive: false,
        tax_class: "standard".into(),
        usage: None,
    })
}

fn show(s: &Subscription) {
    println!(
        "  {} · {} × {} · {} · period {} → {}",
        s.id,
        s.quantity,
        s.plan.name,
        s.status,
        s.current_period.start.format("%Y-%m-%d"),
        s.current_period.end.format("%Y-%m-%d")
    );
}

fn show_invoice(i: &Invoice) {
    println!(
        "    invoice {} ({:?}, {:?}): subtotal {}, tax {}, due {}",
        i.id, i.kind, i.status, i.amounts.subtotal, i.amounts.tax_total, i.amounts.amount_due
    );
    for l in &i.amounts.lines {
        println!(
            "      {:<36} {:>12} + tax {}",
            l.description,
            l.amount.to_string(),
            l.tax
        );
    }
}

/// Prints the messages of billing events collected since the last call.
fn print_messages(mem: &InMemory) -> Result<()> {
    for e in mem.events.drain() {
        let Ok(event) = serde_json::from_str::<SubscriptionEvent>(&e.payload) else {
            continue;
        };
        match event.message {
            Some(m) => println!("  ✉ [{}] {}: {}", e.event_type, m.subject, m.body),
            None => println!("  · event {}", e.event_type),
        }
    }
    Ok(())
}

/// The subscription act.
pub async fn act(mem: &InMemory) -> Result<()> {
    println!("\n11. Subscriptions: Dana joins the Kassa Club (monthly, anchored on a month end)");
    mem.events.drain();
    let billing = Billing::new(mem.ports(), mem.billing_ports(), BillingConfig::default())?;
    let dana = Principal::customer("dana");
    let system = Principal::system();
    mem.clock.set(at(2026, 3, 31, 9));
    let sub = billing
        .subscribe(
            &dana,
            "dana-club-1",
            SubscribeRequest {
                customer_id: "dana".into(),
                email: Some("dana@example.com".into()),
                plan: plan("club-basic", "Club Basic", "9.00")?,
                quantity: 1,
                payment_token: TOKEN_APPROVE.into(),
                region: "DE".into(),
                utc_offset_seconds: 3600,
                coupon: None,
                term_periods: None,
            },
        )
        .await?;
    show(&sub);
    for i in &sub.invoices {
        show_invoice(i);
    }
    print_messages(mem)?;

    println!(
        "  Upgrade to Club Plus (19.00) on Apr 15, mid-period: credit unused Basic, charge Plus"
    );
    mem.clock.set(at(2026, 4, 15, 9));
    let sub = billing
        .change_plan(
            &dana,
            &sub.id,
            ChangePlanRequest {
                plan: Some(plan("club-plus", "Club Plus", "19.00")?),
                quantity: None,
            },
        )
        .await?;
    show(&sub);
    if let Some(i) = sub.invoices.last() {
        show_invoice(i);
    }
    print_messages(mem)?;

    println!("  Dana's card is replaced by one that declines; the renewal run at period end");
    billing
        .update_payment_method(&dana, &sub.id, TOKEN_DECLINE)
        .await?;
    let end = sub.current_period.end;
    mem.clock.set(end);
    let report = billing.run_renewals(&system, end).await?;
    for item in &report.items {
        println!(
            "  run {}: {} → {:?}",
            end.format("%Y-%m-%d %H:%M"),
            item.steps.join(", "),
            item.status
        );
    }
    let sub = billing.subscription(&system, &sub.id).await?;
    show(&sub);
    print_messages(mem)?;
    let again = billing.run_renewals(&system, end).await?;
    println!(
        "  the same run repeated: {} subscription(s) due, nothing billed twice",
        again.items.len()
    );

    println!("  Dana puts in a working card and retries: recovered");
    billing
        .update_payment_method(&dana, &sub.id, TOKEN_APPROVE)
        .await?;
    mem.clock.set(at(2026, 5, 1, 8));
    let sub = billing.retry_payment(&dana, &sub.id).await?;
    show(&sub);
    if let Some(i) = sub.invoices.last() {
        show_invoice(i);
        let outcomes: Vec<&str> = i.attempts.iter().map(|a| a.outcome.as_str()).collect();
        println!("    attempts: {}", outcomes.join(", "));
    }
    print_messages(mem)?;
    let history: Vec<String> = sub
        .history
        .iter()
        .map(|h| format!("{}→{} ({})", h.from, h.to, h.action.as_str()))
        .collect();
    println!("  history: {}", history.join(", "));
    let charged = mem
        .gateway
        .charges()
        .iter()
        .filter(|c| c.order_id.starts_with(&sub.id))
        .count();
    if charged != sub.invoices.len() {
        return Err(KassaError::internal(format!(
            "expected one gateway charge per invoice, got {charged} for {}",
            sub.invoices.len()
        )));
    }
    println!(
        "  gateway: {charged} charges for {} invoices",
        sub.invoices.len()
    );
    Ok(())
}
