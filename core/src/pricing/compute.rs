//! The pricing engine: eligibility, stacking, discounts, shipping, tax and the result.

use super::num::{add, mul, pow10, ratio_round, round, sub};
use super::output::{
    AppliedPromotion, CouponOutcome, LineDiscount, PricedCart, PricedLine, PricedShipping,
    RejectedPromotion, RejectionReason, TaxAmount, Totals,
};
use super::{
    Action, PricingInput, Promotion, ShippingCalculation, ShippingRate, StackingPolicy, Target,
    TaxRoundingLevel, TierBasis,
};
use crate::error::{KassaError, Result};
use crate::money::{allocate_units, Currency, Money, RoundingMode};
use rust_decimal::Decimal;

fn overflow() -> KassaError {
    KassaError::validation("lines", "amounts too large to price exactly")
}

/// `*sum += v` in minor units, overflow being the same error as in `num`.
fn acc(sum: &mut i128, v: i128) -> Result<()> {
    *sum = sum.checked_add(v).ok_or_else(overflow)?;
    Ok(())
}

/// A coupon code as matched: surrounding spaces removed, upper-cased.
pub(super) fn normalize_code(code: &str) -> String {
    code.trim().to_uppercase()
}

fn net_of(st: &State, i: usize) -> Decimal {
    st.nets.get(i).copied().unwrap_or_default()
}

/// A promotion that passed its conditions.
struct Eligible {
    /// Index into `input.promotions`.
    promo: usize,
    /// Targeted line indices, in line-id order (empty for shipping actions).
    targets: Vec<usize>,
    /// The percentage of a tiered promotion's reached tier.
    tier_percent: Decimal,
    /// Discounts shipping rather than lines.
    shipping: bool,
}

/// The amounts after a list of promotions applied.
struct State {
    nets: Vec<Decimal>,
    /// (line index, promotion index, amount) in application order.
    discounts: Vec<(usize, usize, Decimal)>,
    shipping: Option<ShippingState>,
    /// (promotion index, whole amount) in application order.
    amounts: Vec<(usize, Decimal)>,
    total_discount: Decimal,
}

struct ShippingState {
    rate: usize,
    price: Decimal,
    net: Decimal,
    discounts: Vec<(usize, Decimal)>,
}

/// Prepared, validated input with the values every candidate stack shares.
struct Pricer<'a> {
    input: &'a PricingInput,
    cur: Currency,
    dp: u32,
    /// Line indices sorted by line id.
    order: Vec<usize>,
    /// Rounded line subtotals, by line index.
    subtotals: Vec<Decimal>,
    cart_subtotal: Decimal,
    total_units: u64,
    /// Shipping rates this cart can use (region, weight), by index.
    usable_rates: Vec<usize>,
    /// Total weight of the cart in grams (saturating).
    weight: u64,
}

pub(super) fn price(input: &PricingInput) -> Result<PricedCart> {
    let order = super::validate::validate(input)?;
    let cur = input.context.currency;
    let dp = cur.minor_units();
    let mode = input.rounding.line_subtotal;
    let mut subtotals = Vec::with_capacity(input.lines.len());
    let mut cart_subtotal = Decimal::ZERO;
    let mut total_units: u64 = 0;
    let mut weight: u64 = 0;
    for line in &input.lines {
        let q = u64::from(line.quantity);
        let s = round(mode, mul(line.unit_price.amount(), Decimal::from(q))?, dp);
        cart_subtotal = add(cart_subtotal, s)?;
        subtotals.push(s);
        total_units = total_units.saturating_add(q);
        weight = weight.saturating_add(line.weight_grams.saturating_mul(q));
    }
    let usable_rates = usable_rates(input, weight)?;
    let pricer = Pricer {
        input,
        cur,
        dp,
        order,
        subtotals,
        cart_subtotal,
        total_units,
        usable_rates,
        weight,
    };
    pricer.run()
}

/// The rates that serve the region and carry the weight; an explicitly chosen rate that
/// cannot is a validation error.
fn usable_rates(input: &PricingInput, weight: u64) -> Result<Vec<usize>> {
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

fn line_matches(target: &Target, line: &super::PricingLine) -> bool {
    match target {
        Target::Order | Target::Shipping => true,
        Target::Products { ids } => ids.contains(&line.product_id),
        Target::Variants { skus } => skus.contains(&line.sku),
        Target::Categories { ids } => line.category_ids.iter().any(|c| ids.contains(c)),
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
struct Coupons {
    /// Per promotion: the coupon index that unlocks it.
    unlocked: Vec<Option<usize>>,
    /// Per promotion: why the entered coupon naming it failed.
    failed: Vec<Option<RejectionReason>>,
    /// (normalized code, coupon index, own rejection) per distinct entered code.
    entered: Vec<(String, Option<usize>, Option<RejectionReason>)>,
}

impl Pricer<'_> {
    /// A rounded amount in minor units, exactly like [`Money::to_minor`] but without the
    /// normalization when the amount is already at most `dp` places long (the usual case).
    fn minor_units(&self, d: Decimal) -> Result<i128> {
        if d.scale() == self.dp {
            return Ok(d.mantissa());
        }
        if d.scale() < self.dp {
            if let Some(u) = pow10(self.dp - d.scale()).and_then(|p| d.mantissa().checked_mul(p)) {
                return Ok(u);
            }
        }
        Money::new(d, self.cur).to_minor()
    }

    /// Minor units back to an amount; too large for a `Decimal` is an error.
    fn amount(&self, units: i128) -> Result<Decimal> {
        Decimal::try_from_i128_with_scale(units, self.dp).map_err(|_| overflow())
    }

    fn round_discount(&self, d: Decimal) -> Decimal {
        round(self.input.rounding.discount, d, self.dp)
    }

    /// `percent` % of `value`, rounded at the discount point.
    fn percent_discount(&self, value: Decimal, percent: Decimal) -> Result<Decimal> {
        ratio_round(
            self.input.rounding.discount,
            value,
            percent,
            Decimal::ONE_HUNDRED,
            self.dp,
        )
    }

    fn promo_index(&self, id: &str) -> Option<usize> {
        self.input.promotions.iter().position(|p| p.id == id)
    }

    fn resolve_coupons(&self) -> Coupons {
        let input = self.input;
        let n = input.promotions.len();
        let mut out = Coupons {
            unlocked: vec![None; n],
            failed: vec![None; n],
            entered: Vec::new(),
        };
        if input.coupon_codes.is_empty() {
            return out;
        }
        let mut codes: Vec<String> = input
            .coupon_codes
            .iter()
            .map(|c| normalize_code(c))
            .collect();
        codes.sort_unstable();
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
                .is_some_and(|m| self.cart_subtotal < m.amount())
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
            .is_some_and(|m| self.cart_subtotal < m.amount())
        {
            return Err(RejectionReason::MinSubtotalNotMet);
        }
        let shipping = is_shipping(p);
        let lines = &self.input.lines;
        let (targets, units, spend) = if shipping || matches!(p.target, Target::Order) {
            let t = if shipping {
                Vec::new()
            } else {
                self.order.clone()
            };
            (t, self.total_units, self.cart_subtotal)
        } else {
            let mut t = Vec::with_capacity(self.order.len());
            let (mut units, mut spend) = (0u64, Decimal::ZERO);
            for &i in &self.order {
                if lines.get(i).is_some_and(|l| line_matches(&p.target, l)) {
                    t.push(i);
                    units = units.saturating_add(lines.get(i).map_or(0, |l| u64::from(l.quantity)));
                    spend = spend
                        .checked_add(self.subtotals.get(i).copied().unwrap_or_default())
                        .unwrap_or(Decimal::MAX);
                }
            }
            if t.is_empty() {
                return Err(RejectionReason::NoMatchingLines);
            }
            (t, units, spend)
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
                    TierBasis::Spend => spend,
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
        promo_order.sort_by(|a, b| {
            let (x, y) = (input.promotions.get(*a), input.promotions.get(*b));
            x.map(|p| (p.priority, p.id.as_str()))
                .cmp(&y.map(|p| (p.priority, p.id.as_str())))
        });
        let mut rejected: Vec<(usize, RejectionReason)> = Vec::new();
        let mut stack: Vec<Eligible> = Vec::new();
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
                if st.total_discount > Decimal::ZERO {
                    chosen = Some((st, Some(k)));
                    break;
                }
            }
        }
        let mut exclusive_totals: Vec<Decimal> = Vec::new();
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
                if exclusive_totals.get(k).is_some_and(|t| t.is_zero()) {
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
            } else if !state
                .amounts
                .iter()
                .any(|(p, a)| *p == e.promo && !a.is_zero())
            {
                rejected.push((e.promo, RejectionReason::NoDiscount));
            }
        }
        self.output(state, rejected, &coupons)
    }

    /// Applies eligible promotions in order: line discounts first, then shipping is priced
    /// on the discounted merchandise subtotal, then shipping discounts apply.
    fn apply(&self, list: &[Eligible]) -> Result<State> {
        let mut st = State {
            nets: self.subtotals.clone(),
            discounts: Vec::with_capacity(self.subtotals.len().saturating_mul(list.len().min(4))),
            shipping: None,
            amounts: Vec::with_capacity(list.len()),
            total_discount: Decimal::ZERO,
        };
        for e in list.iter().filter(|e| !e.shipping) {
            let amount = self.apply_lines(e, &mut st)?;
            st.amounts.push((e.promo, amount));
            st.total_discount = add(st.total_discount, amount)?;
        }
        st.shipping = self.select_shipping(&st)?;
        for e in list.iter().filter(|e| e.shipping) {
            let amount = self.apply_shipping(e, &mut st)?;
            st.amounts.push((e.promo, amount));
            st.total_discount = add(st.total_discount, amount)?;
        }
        Ok(st)
    }

    fn sum_nets(&self, st: &State, targets: &[usize]) -> Result<Decimal> {
        targets.iter().try_fold(Decimal::ZERO, |acc, i| {
            add(acc, st.nets.get(*i).copied().unwrap_or_default())
        })
    }

    fn apply_lines(&self, e: &Eligible, st: &mut State) -> Result<Decimal> {
        let Some(p) = self.input.promotions.get(e.promo) else {
            return Ok(Decimal::ZERO);
        };
        let order_level = matches!(p.target, Target::Order);
        match &p.action {
            Action::PercentOff { percent } if order_level => {
                let base = self.sum_nets(st, &e.targets)?;
                let total = self.percent_discount(base, *percent)?.min(base);
                self.allocate(e, st, total)
            }
            Action::Tiered { .. } if order_level => {
                let base = self.sum_nets(st, &e.targets)?;
                let total = self.percent_discount(base, e.tier_percent)?.min(base);
                self.allocate(e, st, total)
            }
            Action::AmountOff {
                amount,
                per_unit: false,
            } => {
                let base = self.sum_nets(st, &e.targets)?;
                self.allocate(e, st, amount.amount().min(base))
            }
            Action::PercentOff { percent } => {
                self.per_line(e, st, |_, net| self.percent_discount(net, *percent))
            }
            Action::Tiered { .. } => {
                self.per_line(e, st, |_, net| self.percent_discount(net, e.tier_percent))
            }
            Action::AmountOff {
                amount,
                per_unit: true,
            } => self.per_line(e, st, |q, _| mul(amount.amount(), Decimal::from(q))),
            Action::FixedPrice { unit_price } => self.per_line(e, st, |q, net| {
                let want = mul(unit_price.amount(), Decimal::from(q))?;
                Ok(self.round_discount(sub(net, want)?.max(Decimal::ZERO)))
            }),
            Action::BuyXGetY { buy, get, percent } => self.buy_x_get_y(e, st, *buy, *get, *percent),
            Action::FreeShipping => Ok(Decimal::ZERO),
        }
    }

    /// A discount computed and rounded per targeted line, capped at the line's net.
    fn per_line(
        &self,
        e: &Eligible,
        st: &mut State,
        f: impl Fn(u32, Decimal) -> Result<Decimal>,
    ) -> Result<Decimal> {
        let mut total = Decimal::ZERO;
        for &i in &e.targets {
            let (Some(line), Some(net)) = (self.input.lines.get(i), st.nets.get(i).copied()) else {
                continue;
            };
            let d = f(line.quantity, net)?.min(net).max(Decimal::ZERO);
            total = add(total, self.book(st, i, e.promo, d)?)?;
        }
        Ok(total)
    }

    /// Records a line discount; returns it.
    fn book(&self, st: &mut State, i: usize, promo: usize, d: Decimal) -> Result<Decimal> {
        if d.is_zero() {
            return Ok(d);
        }
        if let Some(net) = st.nets.get_mut(i) {
            *net = sub(*net, d)?;
        }
        st.discounts.push((i, promo, d));
        Ok(d)
    }

    /// Spreads a rounded order-level amount over the targeted lines by their nets, exactly.
    fn allocate(&self, e: &Eligible, st: &mut State, total: Decimal) -> Result<Decimal> {
        if total <= Decimal::ZERO {
            return Ok(Decimal::ZERO);
        }
        let weights: Vec<Decimal> = e
            .targets
            .iter()
            .map(|i| st.nets.get(*i).copied().unwrap_or_default())
            .collect();
        let parts = allocate_units(self.minor_units(total)?, &weights)?;
        for (&i, part) in e.targets.iter().zip(parts) {
            self.book(st, i, e.promo, self.amount(part)?)?;
        }
        Ok(total)
    }

    /// Buy X get Y: of every `buy + get` targeted units, the `get` cheapest are discounted.
    fn buy_x_get_y(
        &self,
        e: &Eligible,
        st: &mut State,
        buy: u32,
        get: u32,
        percent: Decimal,
    ) -> Result<Decimal> {
        let lines = &self.input.lines;
        let qty = |i: usize| lines.get(i).map_or(1, |l| l.quantity.max(1));
        let units: u64 = e.targets.iter().map(|&i| u64::from(qty(i))).sum();
        let mut free = units / (u64::from(buy) + u64::from(get)) * u64::from(get);
        // Cheapest unit first (net ÷ quantity, compared by cross-multiplication); the sort is
        // stable and the targets are in line-id order, so ties go to the lower line id.
        // The nets as minor units make the cross-multiplication an integer product; a
        // product that does not fit falls back to the `Decimal` comparison.
        let mut by_price: Vec<(usize, Option<i128>)> = e
            .targets
            .iter()
            .map(|&i| (i, self.minor_units(net_of(st, i)).ok()))
            .collect();
        by_price.sort_by(|&(a, ua), &(b, ub)| {
            let fast = ua
                .zip(ub)
                .and_then(|(ua, ub)| {
                    Some((
                        ua.checked_mul(i128::from(qty(b)))?,
                        ub.checked_mul(i128::from(qty(a)))?,
                    ))
                })
                .map(|(x, y)| x.cmp(&y));
            fast.unwrap_or_else(|| {
                let x = net_of(st, a).checked_mul(Decimal::from(qty(b)));
                let y = net_of(st, b).checked_mul(Decimal::from(qty(a)));
                x.cmp(&y)
            })
        });
        let mut total = Decimal::ZERO;
        for (i, _) in by_price {
            if free == 0 {
                break;
            }
            let q = u64::from(qty(i));
            let k = free.min(q);
            free -= k;
            let net = net_of(st, i);
            let d = ratio_round(
                self.input.rounding.discount,
                net,
                mul(Decimal::from(k), percent)?,
                mul(Decimal::from(q), Decimal::ONE_HUNDRED)?,
                self.dp,
            )?
            .min(net);
            total = add(total, self.book(st, i, e.promo, d)?)?;
        }
        Ok(total)
    }

    fn rate_price(&self, r: &ShippingRate, basis: Decimal) -> Option<Decimal> {
        if r.free_over.is_some_and(|f| basis >= f.amount()) {
            return Some(Decimal::ZERO);
        }
        match &r.calculation {
            ShippingCalculation::Flat { price } => Some(price.amount()),
            ShippingCalculation::WeightTiers { tiers } => {
                let weight = self.weight;
                tiers
                    .iter()
                    .filter(|t| t.max_grams >= weight)
                    .min_by_key(|t| t.max_grams)
                    .map(|t| t.price.amount())
            }
            ShippingCalculation::PriceTiers { tiers } => tiers
                .iter()
                .filter(|t| t.min_subtotal.amount() <= basis)
                .max_by(|a, b| a.min_subtotal.amount().cmp(&b.min_subtotal.amount()))
                .map(|t| t.price.amount()),
        }
    }

    /// The chosen (or cheapest, ties by id) usable rate, priced on the discounted subtotal.
    fn select_shipping(&self, st: &State) -> Result<Option<ShippingState>> {
        if self.usable_rates.is_empty() {
            return Ok(None);
        }
        let basis = st.nets.iter().try_fold(Decimal::ZERO, |a, n| add(a, *n))?;
        let rates = &self.input.shipping_rates;
        let mut best: Option<(usize, Decimal)> = None;
        for &ri in &self.usable_rates {
            let Some(r) = rates.get(ri) else { continue };
            let Some(price) = self.rate_price(r, basis) else {
                continue;
            };
            let better = match best {
                None => true,
                Some((bi, bp)) => {
                    price < bp
                        || (price == bp
                            && rates.get(bi).is_some_and(|b| r.id.as_str() < b.id.as_str()))
                }
            };
            if better {
                best = Some((ri, price));
            }
        }
        Ok(best.map(|(rate, price)| ShippingState {
            rate,
            price,
            net: price,
            discounts: Vec::new(),
        }))
    }

    fn apply_shipping(&self, e: &Eligible, st: &mut State) -> Result<Decimal> {
        let (Some(p), Some(ship)) = (self.input.promotions.get(e.promo), st.shipping.as_mut())
        else {
            return Ok(Decimal::ZERO);
        };
        let net = ship.net;
        let d = match &p.action {
            Action::FreeShipping => net,
            Action::PercentOff { percent } => self.percent_discount(net, *percent)?,
            Action::AmountOff { amount, .. } => amount.amount(),
            _ => Decimal::ZERO,
        }
        .min(net)
        .max(Decimal::ZERO);
        if !d.is_zero() {
            ship.net = sub(net, d)?;
            ship.discounts.push((e.promo, d));
        }
        Ok(d)
    }

    /// Tax of every line: (rule index, tax), by line index.
    fn taxes(&self, st: &State) -> Result<Vec<(Option<usize>, Decimal)>> {
        let input = self.input;
        let region = input.context.region.as_str();
        let mode: RoundingMode = input.rounding.tax;
        let level = input.rounding.tax_level;
        let mut out = Vec::with_capacity(input.lines.len());
        let mut cache: Option<(&str, Option<usize>)> = None;
        for (i, line) in input.lines.iter().enumerate() {
            let rule = match cache {
                Some((class, r)) if class == line.tax_class => r,
                _ => {
                    let r = input
                        .tax_rules
                        .iter()
                        .position(|t| t.region == region && t.tax_class == line.tax_class);
                    cache = Some((line.tax_class.as_str(), r));
                    r
                }
            };
            let rate = rule
                .and_then(|r| input.tax_rules.get(r))
                .map_or(Decimal::ZERO, |t| t.rate);
            let net = st.nets.get(i).copied().unwrap_or_default();
            if rate.is_zero() || net.is_zero() || level == TaxRoundingLevel::PerTotal {
                out.push((rule, Decimal::ZERO));
                continue;
            }
            let q = Decimal::from(line.quantity);
            // Tax-exclusive: net × rate; inclusive: net × rate ÷ (1 + rate).
            let den = if line.tax_inclusive {
                add(Decimal::ONE, rate)?
            } else {
                Decimal::ONE
            };
            let tax = if level == TaxRoundingLevel::PerUnit {
                mul(ratio_round(mode, net, rate, mul(den, q)?, self.dp)?, q)?
            } else {
                ratio_round(mode, net, rate, den, self.dp)?
            };
            let tax = if line.tax_inclusive {
                tax.min(net)
            } else {
                tax
            };
            out.push((rule, tax));
        }
        if level == TaxRoundingLevel::PerTotal {
            self.per_total_taxes(st, &mut out)?;
        }
        Ok(out)
    }

    /// Per-total rounding: one rounded tax per (rule, inclusive) group, allocated to its lines
    /// by their nets exactly.
    fn per_total_taxes(&self, st: &State, out: &mut [(Option<usize>, Decimal)]) -> Result<()> {
        let input = self.input;
        let mode = input.rounding.tax;
        for (ri, rule) in input.tax_rules.iter().enumerate() {
            if rule.rate.is_zero() {
                continue;
            }
            for inclusive in [false, true] {
                let members: Vec<usize> = self
                    .order
                    .iter()
                    .copied()
                    .filter(|&i| {
                        out.get(i).is_some_and(|(r, _)| *r == Some(ri))
                            && input
                                .lines
                                .get(i)
                                .is_some_and(|l| l.tax_inclusive == inclusive)
                    })
                    .collect();
                if members.is_empty() {
                    continue;
                }
                let weights: Vec<Decimal> = members
                    .iter()
                    .map(|i| st.nets.get(*i).copied().unwrap_or_default())
                    .collect();
                let base = weights.iter().try_fold(Decimal::ZERO, |a, w| add(a, *w))?;
                if base.is_zero() {
                    continue;
                }
                let den = if inclusive {
                    add(Decimal::ONE, rule.rate)?
                } else {
                    Decimal::ONE
                };
                let total = ratio_round(mode, base, rule.rate, den, self.dp)?;
                let total = if inclusive { total.min(base) } else { total };
                let parts = allocate_units(self.minor_units(total)?, &weights)?;
                for (i, part) in members.iter().zip(parts) {
                    if let Some(slot) = out.get_mut(*i) {
                        slot.1 = self.amount(part)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn output(
        &self,
        st: State,
        mut rejected: Vec<(usize, RejectionReason)>,
        coupons: &Coupons,
    ) -> Result<PricedCart> {
        let input = self.input;
        let cur = self.cur;
        let m = |d: Decimal| Money::new(d, cur);
        let promo_id = |pi: usize| {
            input
                .promotions
                .get(pi)
                .map_or_else(String::new, |p| p.id.clone())
        };
        let taxes = self.taxes(&st)?;
        let mut lines = Vec::with_capacity(input.lines.len());
        // Sums in minor units: every line amount is a whole number of minor units here.
        let (mut subtotal, mut discount_total) = (0i128, 0i128);
        let (mut tax_included, mut tax_added, mut lines_total) = (0i128, 0i128, 0i128);
        let mut by_rule: Vec<(i128, i128)> = vec![(0, 0); input.tax_rules.len()];
        let mut rule_used = vec![false; input.tax_rules.len()];
        let State {
            nets,
            discounts,
            shipping,
            amounts,
            ..
        } = st;
        // Group the discounts by line with one exact-size allocation per discounted line.
        let mut counts = vec![0usize; input.lines.len()];
        for (i, _, _) in &discounts {
            if let Some(c) = counts.get_mut(*i) {
                *c += 1;
            }
        }
        let mut per_line: Vec<Vec<LineDiscount>> =
            counts.iter().map(|&c| Vec::with_capacity(c)).collect();
        for &(i, p, a) in &discounts {
            if let Some(list) = per_line.get_mut(i) {
                list.push(LineDiscount {
                    promotion_id: promo_id(p),
                    amount: m(a),
                });
            }
        }
        for (i, ((line, (rule, tax)), line_discounts)) in
            input.lines.iter().zip(taxes).zip(per_line).enumerate()
        {
            let sub_i = self.subtotals.get(i).copied().unwrap_or_default();
            let net = nets.get(i).copied().unwrap_or_default();
            let (s_u, n_u, t_u) = (
                self.minor_units(sub_i)?,
                self.minor_units(net)?,
                self.minor_units(tax)?,
            );
            let disc = s_u.checked_sub(n_u).ok_or_else(overflow)?;
            let rate = rule
                .and_then(|r| input.tax_rules.get(r))
                .map_or(Decimal::ZERO, |t| t.rate);
            let (total, taxable) = if line.tax_inclusive {
                acc(&mut tax_included, t_u)?;
                (net, n_u.checked_sub(t_u).ok_or_else(overflow)?)
            } else {
                acc(&mut tax_added, t_u)?;
                let total = n_u.checked_add(t_u).ok_or_else(overflow)?;
                (self.amount(total)?, n_u)
            };
            if let Some(r) = rule {
                if let (Some(sums), Some(used)) = (by_rule.get_mut(r), rule_used.get_mut(r)) {
                    acc(&mut sums.0, taxable)?;
                    acc(&mut sums.1, t_u)?;
                    *used = true;
                }
            }
            acc(&mut subtotal, s_u)?;
            acc(&mut discount_total, disc)?;
            acc(
                &mut lines_total,
                if line.tax_inclusive { n_u } else { n_u + t_u },
            )?;
            lines.push(PricedLine {
                line_id: line.line_id.clone(),
                quantity: line.quantity,
                unit_price: line.unit_price,
                subtotal: m(sub_i),
                discounts: line_discounts,
                discount_total: m(self.amount(disc)?),
                net: m(net),
                tax_inclusive: line.tax_inclusive,
                tax_rate: rate,
                tax: m(tax),
                total: m(total),
            });
        }
        let shipping_total = shipping.as_ref().map_or(Decimal::ZERO, |s| s.net);
        let shipping = match shipping {
            Some(s) => Some(PricedShipping {
                rate_id: input
                    .shipping_rates
                    .get(s.rate)
                    .map_or_else(String::new, |r| r.id.clone()),
                price: m(s.price),
                discount_total: m(sub(s.price, s.net)?),
                discounts: s
                    .discounts
                    .into_iter()
                    .map(|(p, a)| LineDiscount {
                        promotion_id: promo_id(p),
                        amount: m(a),
                    })
                    .collect(),
                total: m(s.net),
            }),
            None => None,
        };
        let mut tax_lines: Vec<TaxAmount> = input
            .tax_rules
            .iter()
            .zip(by_rule)
            .zip(rule_used)
            .filter(|(_, used)| *used)
            .map(|((rule, (taxable, tax)), _)| {
                Ok(TaxAmount {
                    tax_rule_id: rule.id.clone(),
                    rate: rule.rate,
                    taxable: m(self.amount(taxable)?),
                    tax: m(self.amount(tax)?),
                })
            })
            .collect::<Result<_>>()?;
        tax_lines.sort_by(|a, b| a.tax_rule_id.cmp(&b.tax_rule_id));
        let tax_total = tax_included.checked_add(tax_added).ok_or_else(overflow)?;
        let grand_total = lines_total
            .checked_add(self.minor_units(shipping_total)?)
            .ok_or_else(overflow)?;
        let total_excluding_tax = grand_total.checked_sub(tax_total).ok_or_else(overflow)?;
        let coupon_of = |pi: usize| coupons.unlocked.get(pi).copied().flatten();
        let applied: Vec<AppliedPromotion> = amounts
            .iter()
            .filter(|(_, a)| !a.is_zero())
            .map(|&(pi, a)| AppliedPromotion {
                promotion_id: promo_id(pi),
                amount: m(a),
                coupon_code: coupon_of(pi)
                    .and_then(|c| input.coupons.get(c))
                    .map(|c| normalize_code(&c.code)),
            })
            .collect();
        rejected.sort_by(|a, b| {
            let (x, y) = (input.promotions.get(a.0), input.promotions.get(b.0));
            x.map(|p| p.id.as_str()).cmp(&y.map(|p| p.id.as_str()))
        });
        let coupon_outcomes = coupons
            .entered
            .iter()
            .map(|(code, ci, own)| {
                let coupon = ci.and_then(|c| input.coupons.get(c));
                let pi = coupon.and_then(|c| self.promo_index(&c.promotion_id));
                let applied_through = pi.is_some_and(|p| {
                    coupon_of(p) == *ci && amounts.iter().any(|(q, a)| *q == p && !a.is_zero())
                });
                let reason = match own {
                    Some(r) => Some(*r),
                    None if applied_through => None,
                    None => pi
                        .and_then(|p| rejected.iter().find(|(q, _)| *q == p).map(|(_, r)| *r))
                        .or(Some(RejectionReason::NoDiscount)),
                };
                CouponOutcome {
                    code: code.clone(),
                    promotion_id: coupon.map(|c| c.promotion_id.clone()),
                    applied: applied_through && own.is_none(),
                    reason,
                }
            })
            .collect();
        Ok(PricedCart {
            currency: cur,
            lines,
            shipping,
            taxes: tax_lines,
            totals: Totals {
                subtotal: m(self.amount(subtotal)?),
                discount_total: m(self.amount(discount_total)?),
                shipping_total: m(shipping_total),
                tax_total: m(self.amount(tax_total)?),
                tax_included: m(self.amount(tax_included)?),
                tax_added: m(self.amount(tax_added)?),
                total_excluding_tax: m(self.amount(total_excluding_tax)?),
                grand_total: m(self.amount(grand_total)?),
            },
            applied_promotions: applied,
            rejected_promotions: rejected
                .into_iter()
                .map(|(pi, reason)| RejectedPromotion {
                    promotion_id: promo_id(pi),
                    reason,
                })
                .collect(),
            coupons: coupon_outcomes,
        })
    }
}
