//! The pricing engine: eligibility and stacking. Applying promotions is in `apply`, tax in
//! `line_tax`, the result in `assemble`; amounts are `i128` minor units throughout (see
//! `units`), `Decimal` only where the input's thresholds are compared and in the output.

use super::apply::State;
use super::input::View;
use super::output::{PricedCart, RejectionReason};
use super::units::{line_subtotal, overflow, to_decimal};
use super::{
    Action, Promotion, ShippingCalculation, ShippingRate, StackingPolicy, Target, TierBasis,
};
use crate::error::{KassaError, Result};
use crate::money::Currency;
use rust_decimal::Decimal;

/// A coupon code as matched: surrounding spaces removed, `a`–`z` upper-cased (docs/pricing.md,
/// "Coupons": ASCII case folding only).
pub(super) fn normalize_code(code: &str) -> String {
    code.trim().to_ascii_uppercase()
}

/// The lines a promotion targets.
pub(super) enum Targets {
    /// None: the promotion discounts shipping.
    Shipping,
    /// Every line: an order-level promotion, which walks the pricer's line order instead of
    /// copying it.
    All,
    /// These line indices, in line-id order. `u32` (validation bounds the line count): half
    /// the bytes, so a few hundred targets stay a small allocation, which glibc serves from
    /// its per-thread cache instead of its sorted bins (docs/performance.md, "Session 9").
    Lines(Vec<u32>),
}

/// Line indices in line-id order: a range when the lines come sorted (no index vector is
/// built for them), else a walk over the sorted indices.
#[derive(Clone)]
pub(super) enum LineOrder<'a> {
    Sorted(std::ops::Range<usize>),
    Indices(std::iter::Copied<std::slice::Iter<'a, usize>>),
    Targets(std::slice::Iter<'a, u32>),
}

impl Iterator for LineOrder<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            LineOrder::Sorted(r) => r.next(),
            LineOrder::Indices(i) => i.next(),
            LineOrder::Targets(t) => t.next().map(|&i| i as usize),
        }
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            LineOrder::Sorted(r) => r.size_hint(),
            LineOrder::Indices(i) => i.size_hint(),
            LineOrder::Targets(t) => t.size_hint(),
        }
    }
}

impl ExactSizeIterator for LineOrder<'_> {}

/// A promotion that passed its conditions.
pub(super) struct Eligible {
    /// Index into `input.promotions`.
    pub(super) promo: usize,
    /// The lines it targets.
    pub(super) targets: Targets,
    /// The percentage of a tiered promotion's reached tier.
    pub(super) tier_percent: Decimal,
    /// Discounts shipping rather than lines.
    pub(super) shipping: bool,
}

/// Prepared, validated input with the values every candidate stack shares.
pub(super) struct Pricer<'a> {
    pub(super) input: View<'a>,
    pub(super) cur: Currency,
    pub(super) dp: u32,
    /// Line indices sorted by line id; empty when the lines come sorted by id, as they
    /// usually do (see [`Pricer::line_order`]).
    order: Vec<usize>,
    /// Rounded line subtotals in minor units, by line index.
    pub(super) subtotals: Vec<i128>,
    /// Their sum, in minor units and as an amount (for the input's thresholds).
    cart_subtotal: i128,
    cart_subtotal_amount: Decimal,
    total_units: u64,
    /// Shipping rates this cart can use (region, weight), by index.
    pub(super) usable_rates: Vec<usize>,
    /// Total weight of the cart in grams (saturating).
    pub(super) weight: u64,
}

pub(super) fn price(input: View<'_>) -> Result<PricedCart> {
    let order = super::validate::validate(input)?;
    let cur = input.context.currency;
    let dp = cur.minor_units();
    let mode = input.rounding.line_subtotal;
    let mut subtotals = Vec::with_capacity(input.lines.len());
    let mut cart_subtotal: i128 = 0;
    let mut total_units: u64 = 0;
    let mut weight: u64 = 0;
    for line in input.lines {
        let q = u64::from(line.quantity);
        let s = line_subtotal(mode, line.unit_price.amount(), line.quantity, dp)?;
        cart_subtotal = cart_subtotal.checked_add(s).ok_or_else(overflow)?;
        subtotals.push(s);
        total_units = total_units.saturating_add(q);
        weight = weight.saturating_add(line.weight_grams.saturating_mul(q));
    }
    let cart_subtotal_amount = to_decimal(cart_subtotal, dp)?;
    let usable_rates = usable_rates(input, weight)?;
    let pricer = Pricer {
        input,
        cur,
        dp,
        order,
        subtotals,
        cart_subtotal,
        cart_subtotal_amount,
        total_units,
        usable_rates,
        weight,
    };
    pricer.run()
}

impl Pricer<'_> {
    /// Whether the lines come sorted by id (no index vector was needed).
    pub(super) fn in_order(&self) -> bool {
        self.order.is_empty()
    }

    /// Every line index, in line-id order.
    pub(super) fn line_order(&self) -> LineOrder<'_> {
        if self.in_order() {
            LineOrder::Sorted(0..self.input.lines.len())
        } else {
            LineOrder::Indices(self.order.iter().copied())
        }
    }

    /// The line indices a promotion targets, in line-id order.
    pub(super) fn targets<'s>(&'s self, e: &'s Eligible) -> LineOrder<'s> {
        match &e.targets {
            Targets::Shipping => LineOrder::Sorted(0..0),
            Targets::All => self.line_order(),
            Targets::Lines(t) => LineOrder::Targets(t.iter()),
        }
    }
}

/// The rates that serve the region and carry the weight; an explicitly chosen rate that
/// cannot is a validation error.
fn usable_rates(input: View<'_>, weight: u64) -> Result<Vec<usize>> {
    if input.lines.is_empty() {
        return Ok(Vec::new());
    }
    let region = input.context.region.as_str();
    let usable = |r: &ShippingRate| {
        (r.regions.is_empty() || r.regions.iter().any(|x| x == region))
            && match &r.calculation {
                ShippingCalculation::WeightTiers { tiers } => {
                    tiers.iter().any(|t| t.max_grams >= weight)
                }
                _ => true,
            }
    };
    match &input.shipping_method {
        Some(id) => {
            let found = input.shipping_rates.iter().position(|r| &r.id == id);
            match found {
                Some(i) if input.shipping_rates.get(i).is_some_and(usable) => Ok(vec![i]),
                _ => Err(KassaError::validation(
                    "shippingMethod",
                    format!("shipping rate '{id}' cannot ship this cart to this region"),
                )),
            }
        }
        None => Ok(input
            .shipping_rates
            .iter()
            .enumerate()
            .filter(|(_, r)| usable(r))
            .map(|(i, _)| i)
            .collect()),
    }
}

/// `a == b` for short ids: lengths and last bytes first, which tells most different ids
/// of a cart (`"C-1"`, `"C-3"`) apart without a `memcmp` call. (The word-wise
/// `text::same_text` made this loop slower: measured, docs/performance.md "Session 8".)
fn same_id(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

fn listed(ids: &[String], id: &str) -> bool {
    ids.iter().any(|x| same_id(x, id))
}

fn line_matches(target: &Target, line: &super::PricingLine) -> bool {
    match target {
        Target::Order | Target::Shipping => true,
        Target::Products { ids } => listed(ids, &line.product_id),
        Target::Variants { skus } => listed(skus, &line.sku),
        Target::Categories { ids } => line.category_ids.iter().any(|c| listed(ids, c)),
    }
}

/// Whether a promotion's discount goes to shipping.
fn is_shipping(p: &Promotion) -> bool {
    matches!(p.action, Action::FreeShipping) || matches!(p.target, Target::Shipping)
}

fn in_window(
    now: chrono::DateTime<chrono::Utc>,
    starts: Option<chrono::DateTime<chrono::Utc>>,
    ends: Option<chrono::DateTime<chrono::Utc>>,
) -> bool {
    starts.is_none_or(|s| now >= s) && ends.is_none_or(|e| now < e)
}

/// Coupons resolved against the entered codes.
pub(super) struct Coupons {
    /// Per promotion: the coupon index that unlocks it (empty when no code was entered).
    pub(super) unlocked: Vec<Option<usize>>,
    /// Per promotion: why the entered coupon naming it failed (empty when no code was entered).
    failed: Vec<Option<RejectionReason>>,
    /// (normalized code, coupon index, own rejection) per distinct entered code.
    pub(super) entered: Vec<(String, Option<usize>, Option<RejectionReason>)>,
}

impl<'a> Pricer<'a> {
    pub(super) fn promo_index(&self, id: &str) -> Option<usize> {
        self.input.promotions.iter().position(|p| *p.id == *id)
    }

    fn resolve_coupons(&self) -> Coupons {
        let input = self.input;
        if input.coupon_codes.is_empty() {
            // No code, no per-promotion slots: a missing slot reads as `None`.
            return Coupons {
                unlocked: Vec::new(),
                failed: Vec::new(),
                entered: Vec::new(),
            };
        }
        let n = input.promotions.len();
        let mut out = Coupons {
            unlocked: vec![None; n],
            failed: vec![None; n],
            entered: Vec::new(),
        };
        let mut codes: Vec<String> = input
            .coupon_codes
            .iter()
            .map(|c| normalize_code(c))
            .collect();
        crate::sorting::sort_unstable(&mut codes);
        codes.dedup();
        let ctx = &input.context;
        for code in codes {
            let found = input
                .coupons
                .iter()
                .position(|c| normalize_code(&c.code) == code);
            let Some(ci) = found else {
                out.entered
                    .push((code, None, Some(RejectionReason::CouponNotFound)));
                continue;
            };
            let Some(coupon) = input.coupons.get(ci) else {
                continue;
            };
            let reason = if !in_window(ctx.now, coupon.starts_at, coupon.ends_at) {
                Some(RejectionReason::OutsideDateWindow)
            } else if coupon.usage_limit.is_some_and(|l| coupon.times_used >= l) {
                Some(RejectionReason::CouponUsageLimitReached)
            } else if coupon
                .per_customer_limit
                .is_some_and(|l| coupon.customer_times_used >= l)
            {
                Some(RejectionReason::CouponCustomerLimitReached)
            } else if coupon
                .min_spend
                .is_some_and(|m| self.cart_subtotal_amount < m.amount())
            {
                Some(RejectionReason::CouponMinSpendNotMet)
            } else {
                None
            };
            let Some(pi) = self.promo_index(&coupon.promotion_id) else {
                continue;
            };
            let own = match reason {
                Some(r) => {
                    if let Some(slot) = out.failed.get_mut(pi) {
                        slot.get_or_insert(r);
                    }
                    Some(r)
                }
                None => match out.unlocked.get_mut(pi) {
                    Some(slot @ None) => {
                        *slot = Some(ci);
                        None
                    }
                    _ => Some(RejectionReason::CouponPromotionAlreadyUnlocked),
                },
            };
            out.entered.push((code, Some(ci), own));
        }
        out
    }

    /// Checks a promotion's conditions: `Ok` with what it targets, or the reason it fails.
    fn eligibility(
        &self,
        pi: usize,
        p: &Promotion,
        coupons: &Coupons,
    ) -> std::result::Result<Eligible, RejectionReason> {
        let ctx = &self.input.context;
        let c = &p.conditions;
        if !in_window(ctx.now, c.starts_at, c.ends_at) {
            return Err(RejectionReason::OutsideDateWindow);
        }
        if c.coupon_required && coupons.unlocked.get(pi).copied().flatten().is_none() {
            return Err(coupons
                .failed
                .get(pi)
                .copied()
                .flatten()
                .unwrap_or(RejectionReason::CouponRequired));
        }
        if !c.customer_groups.is_empty()
            && !c
                .customer_groups
                .iter()
                .any(|g| ctx.customer_groups.contains(g))
        {
            return Err(RejectionReason::CustomerGroupMismatch);
        }
        if c.first_order_only && !ctx.first_order {
            return Err(RejectionReason::FirstOrderOnly);
        }
        if c.min_subtotal
            .is_some_and(|m| self.cart_subtotal_amount < m.amount())
        {
            return Err(RejectionReason::MinSubtotalNotMet);
        }
        let shipping = is_shipping(p);
        let lines = &self.input.lines;
        let (targets, units, spend) = if shipping || matches!(p.target, Target::Order) {
            let t = if shipping {
                Targets::Shipping
            } else {
                Targets::All
            };
            (t, self.total_units, self.cart_subtotal)
        } else {
            let mut t = Vec::with_capacity(lines.len());
            let (mut units, mut spend) = (0u64, 0i128);
            for i in self.line_order() {
                let Some(line) = lines.get(i) else { continue };
                if line_matches(&p.target, line) {
                    t.push(u32::try_from(i).unwrap_or(u32::MAX));
                    units = units.saturating_add(u64::from(line.quantity));
                    spend = spend.saturating_add(self.subtotals.get(i).copied().unwrap_or(0));
                }
            }
            if t.is_empty() {
                return Err(RejectionReason::NoMatchingLines);
            }
            (Targets::Lines(t), units, spend)
        };
        if shipping && self.usable_rates.is_empty() {
            return Err(RejectionReason::NoShipping);
        }
        if c.min_quantity.is_some_and(|m| units < u64::from(m)) {
            return Err(RejectionReason::MinQuantityNotMet);
        }
        let mut tier_percent = Decimal::ZERO;
        match &p.action {
            Action::BuyXGetY { buy, get, .. } if units < u64::from(*buy) + u64::from(*get) => {
                return Err(RejectionReason::MinQuantityNotMet);
            }
            Action::Tiered { basis, tiers } => {
                let measure = match basis {
                    TierBasis::Quantity => Decimal::from(units),
                    TierBasis::Spend => to_decimal(spend, self.dp).unwrap_or(Decimal::MAX),
                };
                let best = tiers
                    .iter()
                    .filter(|t| t.min <= measure)
                    .max_by(|a, b| a.min.cmp(&b.min));
                match best {
                    Some(t) => tier_percent = t.percent,
                    None => return Err(RejectionReason::TierNotReached),
                }
            }
            _ => {}
        }
        Ok(Eligible {
            promo: pi,
            targets,
            tier_percent,
            shipping,
        })
    }

    fn run(&self) -> Result<PricedCart> {
        let input = self.input;
        let coupons = self.resolve_coupons();
        let mut promo_order: Vec<usize> = (0..input.promotions.len()).collect();
        crate::sorting::sort_by(&mut promo_order, |a, b| {
            let (x, y) = (input.promotions.get(*a), input.promotions.get(*b));
            x.map(|p| (p.priority, &*p.id))
                .cmp(&y.map(|p| (p.priority, &*p.id)))
        });
        let mut rejected: Vec<(usize, RejectionReason)> = Vec::new();
        let mut stack: Vec<Eligible> = Vec::with_capacity(input.promotions.len());
        let mut exclusives: Vec<Eligible> = Vec::new();
        let mut stopped = false;
        for &pi in &promo_order {
            let Some(p) = input.promotions.get(pi) else {
                continue;
            };
            match self.eligibility(pi, p, &coupons) {
                Err(reason) => rejected.push((pi, reason)),
                Ok(e) if p.exclusive => exclusives.push(e),
                Ok(_) if stopped => rejected.push((pi, RejectionReason::StoppedByEarlierPromotion)),
                Ok(e) => {
                    stopped = p.stop_after;
                    stack.push(e);
                }
            }
        }
        let best_deal = input.stacking == StackingPolicy::BestDeal;
        // Candidate 0 is the stack; then each exclusive promotion alone.
        let mut chosen: Option<(State, Option<usize>)> = None;
        if !best_deal {
            for (k, e) in exclusives.iter().enumerate() {
                let st = self.apply(std::slice::from_ref(e))?;
                if st.total_discount > 0 {
                    chosen = Some((st, Some(k)));
                    break;
                }
            }
        }
        let mut exclusive_totals: Vec<i128> = Vec::new();
        if best_deal {
            let mut best = (self.apply(&stack)?, None);
            for (k, e) in exclusives.iter().enumerate() {
                let st = self.apply(std::slice::from_ref(e))?;
                exclusive_totals.push(st.total_discount);
                if st.total_discount > best.0.total_discount {
                    best = (st, Some(k));
                }
            }
            chosen = Some(best);
        }
        let (state, winner) = match chosen {
            Some(c) => c,
            None => (self.apply(&stack)?, None),
        };
        // Rejections of the eligible promotions that did not apply.
        for (k, e) in exclusives.iter().enumerate() {
            if winner == Some(k) {
                continue;
            }
            let reason = if best_deal {
                if exclusive_totals.get(k).is_some_and(|t| *t == 0) {
                    RejectionReason::NoDiscount
                } else {
                    RejectionReason::NotBestDeal
                }
            } else if winner.is_some_and(|w| k > w) {
                RejectionReason::ExcludedByExclusivePromotion
            } else {
                RejectionReason::NoDiscount
            };
            rejected.push((e.promo, reason));
        }
        for e in &stack {
            if winner.is_some() {
                let reason = if best_deal {
                    RejectionReason::NotBestDeal
                } else {
                    RejectionReason::ExcludedByExclusivePromotion
                };
                rejected.push((e.promo, reason));
            } else if !state.amounts.iter().any(|(p, a)| *p == e.promo && *a != 0) {
                rejected.push((e.promo, RejectionReason::NoDiscount));
            }
        }
        self.output(state, rejected, &coupons)
    }
}
