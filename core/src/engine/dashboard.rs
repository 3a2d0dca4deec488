//! Dashboard statistics: a pure function over orders and stock levels.

use crate::error::{KassaError, Result};
use crate::inventory::stock::StockLevel;
use crate::money::{Currency, Money, RoundingMode};
use crate::order::{Order, OrderStatus, StateMachine};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the dashboard covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct DashboardRequest {
    /// Orders created at or after.
    pub from: DateTime<Utc>,
    /// Orders created before.
    pub to: DateTime<Utc>,
    /// Only orders in this currency count toward money figures.
    pub currency: Currency,
    /// How many top products (default 5).
    #[serde(default = "default_top")]
    pub top: usize,
}

fn default_top() -> usize {
    5
}

/// Revenue of one day (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct DailyRevenue {
    /// The day.
    pub date: NaiveDate,
    /// Net paid (captured − refunded) of the orders created that day.
    pub revenue: Money,
    /// Orders created that day with money kept (net paid above zero).
    pub orders: u64,
}

/// A best-selling product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct TopProduct {
    /// Product id.
    pub product_id: String,
    /// Name on the latest order line.
    pub name: String,
    /// Units sold (confirmed or completed orders).
    pub units: u64,
    /// Line totals of those units.
    pub revenue: Money,
}

/// Dashboard statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, kassa_derive::Decode)]
#[serde(rename_all = "camelCase")]
pub struct DashboardStats {
    /// Net revenue per day, oldest first (days without paid orders are left out).
    pub revenue_per_day: Vec<DailyRevenue>,
    /// Total net revenue.
    pub revenue: Money,
    /// Order count per order status (every status listed, zero included).
    pub orders_by_status: BTreeMap<String, u64>,
    /// Net revenue ÷ orders with money kept, rounded half-even (`None` without any).
    pub average_order_value: Option<Money>,
    /// Best sellers by units, then revenue, then id.
    pub top_products: Vec<TopProduct>,
    /// Stock levels with units available at or below the threshold.
    pub low_stock_count: u64,
}

/// Computes the dashboard from every order in range and every stock level.
pub fn dashboard_stats(
    req: &DashboardRequest,
    orders: &[Order],
    stock: &[StockLevel],
    low_stock_threshold: u64,
) -> Result<DashboardStats> {
    if req.from > req.to {
        return Err(KassaError::validation("from", "must not be after 'to'"));
    }
    let cur = req.currency;
    let zero = Money::zero(cur);
    let mut per_day: BTreeMap<NaiveDate, (Money, u64)> = BTreeMap::new();
    let mut by_status: BTreeMap<String, u64> =
        crate::sorting::map_from(OrderStatus::STATES.iter().map(|s| (s.name().to_owned(), 0)));
    let mut products: BTreeMap<String, TopProduct> = BTreeMap::new();
    let (mut revenue, mut paid) = (zero, 0u64);
    for o in orders
        .iter()
        .filter(|o| o.created_at >= req.from && o.created_at < req.to)
    {
        *by_status.entry(o.status.name().to_owned()).or_insert(0) += 1;
        if o.currency != cur {
            continue;
        }
        let net = o.payment.net_paid()?;
        if net.is_positive() {
            let day = per_day
                .entry(o.created_at.date_naive())
                .or_insert((zero, 0));
            day.0 = day.0.checked_add(&net)?;
            day.1 += 1;
            revenue = revenue.checked_add(&net)?;
            paid += 1;
        }
        if matches!(o.status, OrderStatus::Confirmed | OrderStatus::Completed) {
            for l in o.lines.iter() {
                let p = products
                    .entry(l.product_id.clone())
                    .or_insert_with(|| TopProduct {
                        product_id: l.product_id.clone(),
                        name: l.name.clone(),
                        units: 0,
                        revenue: zero,
                    });
                p.units += u64::from(l.quantity);
                p.revenue = p.revenue.checked_add(&l.total)?;
            }
        }
    }
    let average_order_value = if paid == 0 {
        None
    } else {
        Some(
            revenue
                .checked_div(rust_decimal::Decimal::from(paid))?
                .round(RoundingMode::HalfEven),
        )
    };
    let mut top: Vec<TopProduct> = products.into_values().collect();
    crate::sorting::sort_by(&mut top, |a, b| {
        b.units
            .cmp(&a.units)
            .then_with(|| b.revenue.amount().cmp(&a.revenue.amount()))
            .then_with(|| a.product_id.cmp(&b.product_id))
    });
    top.truncate(req.top);
    Ok(DashboardStats {
        revenue_per_day: per_day
            .into_iter()
            .map(|(date, (revenue, orders))| DailyRevenue {
                date,
                revenue,
                orders,
            })
            .collect(),
        revenue,
        orders_by_status: by_status,
        average_order_value,
        top_products: top,
        low_stock_count: stock
            .iter()
            .filter(|l| l.available() <= low_stock_threshold)
            .count() as u64,
    })
}
