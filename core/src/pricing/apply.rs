//! Applying a list of eligible promotions: line discounts, then shipping priced on the
//! discounted subtotal, then shipping discounts. Every amount is `i128` minor units.

use super::compute::{Eligible, Pricer, Targets};
use super::units::{allocate, overflow, to_decimal, to_units, Ratio};
use super::{Action, ShippingCalculation, ShippingRate, Target};
use crate::error::Result;
use rust_decimal::Decimal;

/// One booked line discount.
#[derive(Debug, Clone, Copy)]
pub(super) struct Booked {
    pub(super) line: usize,
    pub(super) promo: usize,
    pub(super) amount: i128,
}

/// The amounts after a list of promotions applied.
pub(super) struct State {
    /// Line nets in minor units, by line index.
    pub(super) nets: Vec<i128>,
    /// Line discounts in application order.
    pub(super) discounts: Vec<Booked>,
    pub(super) shipping: Option<ShippingState>,
    /// (promotion index, whole amount) in application order.
    pub(super) amounts: Vec<(usize, i128)>,
    pub(super) total_discount: i128,
}

pub(super) struct ShippingState {
    pub(super) rate: usize,
    pub(super) price: i128,
    pub(super) net: i128,
    /// (promotion index, amount) in application order.
    pub(super) discounts: Vec<(usize, i128)>,
}

fn add(a: i128, b: i128) -> Result<i128> {
    a.checked_add(b).ok_or_else(overflow)
}

fn net_of(st: &State, i: usize) -> i128 {
    st.nets.get(i).copied().unwrap_or(0)
}

impl Pricer<'_> {
    /// An input amount that is validated to be whole minor units.
    fn units_of(&self, d: Decimal) -> Result<i128> {
        to_units(d, self.dp).ok_or_else(overflow)
    }

    /// Applies eligible promotions in order: line discounts first, then shipping is priced
    /// on the discounted merchandise subtotal, then shipping discounts apply.
    pub(super) fn apply(&self, list: &[Eligible]) -> Result<State> {
        let mut st = State {
            nets: self.subtotals.clone(),
            // Each promotion books at most one discount per targeted line.
            discounts: Vec::with_capacity(list.iter().map(|e| self.targets(e).len()).sum()),
            shipping: None,
            amounts: Vec::with_capacity(list.len()),
            total_discount: 0,
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

    fn sum_nets(st: &State, mut targets: impl Iterator<Item = usize>) -> Result<i128> {
        targets.try_fold(0i128, |acc, i| add(acc, net_of(st, i)))
    }

    fn apply_lines(&self, e: &Eligible, st: &mut State) -> Result<i128> {
        let Some(p) = self.input.promotions.get(e.promo) else {
            return Ok(0);
        };
        let mode = self.input.rounding.discount;
        let dp = self.dp;
        let order_level = matches!(p.target, Target::Order);
        match &p.action {
            Action::PercentOff { percent } if order_level => {
                let base = Self::sum_nets(st, self.targets(e))?;
                let total = Ratio::percent(*percent).apply(mode, base, dp)?.min(base);
                self.allocate(e, st, total)
            }
            Action::Tiered { .. } if order_level => {
                let base = Self::sum_nets(st, self.targets(e))?;
                let total = Ratio::percent(e.tier_percent)
                    .apply(mode, base, dp)?
                    .min(base);
                self.allocate(e, st, total)
            }
            Action::AmountOff {
                amount,
                per_unit: false,
            } => {
                let base = Self::sum_nets(st, self.targets(e))?;
                let total = self.units_of(amount.amount())?.min(base);
                self.allocate(e, st, total)
            }
            Action::PercentOff { percent } => {
                let ratio = Ratio::percent(*percent);
                self.per_line(e, st, |_, net| ratio.apply(mode, net, dp))
            }
            Action::Tiered { .. } => {
                let ratio = Ratio::percent(e.tier_percent);
                self.per_line(e, st, |_, net| ratio.apply(mode, net, dp))
            }
            Action::AmountOff {
                amount,
                per_unit: true,
            } => {
                let each = self.units_of(amount.amount())?;
                self.per_line(e, st, |q, _| {
                    each.checked_mul(i128::from(q)).ok_or_else(overflow)
                })
            }
            Action::FixedPrice { unit_price } => {
                // Both sides are whole minor units, so the discount needs no rounding.
                let each = self.units_of(unit_price.amount())?;
                self.per_line(e, st, |q, net| {
                    let want = each.checked_mul(i128::from(q)).ok_or_else(overflow)?;
                    Ok(net.checked_sub(want).ok_or_else(overflow)?.max(0))
                })
            }
            Action::BuyXGetY { buy, get, percent } => self.buy_x_get_y(e, st, *buy, *get, *percent),
            Action::FreeShipping => Ok(0),
        }
    }

    /// A discount computed and rounded per targeted line, capped at the line's net.
    fn per_line(
        &self,
        e: &Eligible,
        st: &mut State,
        f: impl Fn(u32, i128) -> Result<i128>,
    ) -> Result<i128> {
        let mut total = 0i128;
        for i in self.targets(e) {
            let (Some(line), Some(net)) = (self.input.lines.get(i), st.nets.get(i).copied()) else {
                continue;
            };
            let d = f(line.quantity, net)?.min(net).max(0);
            total = add(total, book(st, i, e.promo, d)?)?;
        }
        Ok(total)
    }

    /// Spreads a rounded order-level amount over the targeted lines by their nets, exactly.
    fn allocate(&self, e: &Eligible, st: &mut State, total: i128) -> Result<i128> {
        if total <= 0 {
            return Ok(0);
        }
        let targets = self.targets(e);
        let mut parts = Vec::with_capacity(targets.len());
        if self.in_order() && matches!(e.targets, Targets::All) {
            // Every line, in input order (an order-level promotion on a sorted cart): the
            // weights are the nets as they are, no copy.
            allocate(total, &st.nets, &mut parts)?;
        } else {
            let weights: Vec<i128> = targets.clone().map(|i| net_of(st, i)).collect();
            allocate(total, &weights, &mut parts)?;
        }
        for (i, part) in targets.zip(parts) {
            book(st, i, e.promo, part)?;
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
    ) -> Result<i128> {
        let lines = &self.input.lines;
        let qty = |i: usize| lines.get(i).map_or(1, |l| l.quantity.max(1));
        let units: u64 = self.targets(e).map(|i| u64::from(qty(i))).sum();
        let mut free = units / (u64::from(buy) + u64::from(get)) * u64::from(get);
        // Cheapest unit first: net ÷ quantity, compared exactly by cross-multiplication
        // (minor units below 2^96 times a `u32` quantity fit an `i128`). The sort is stable
        // and the targets are in line-id order, so ties go to the lower line id. (An unstable
        // sort with the position as tie-break was slower: docs/performance.md, "Session 9".)
        // Entries are (line, net, quantity): 32 bytes, so a few dozen targeted lines stay a
        // small allocation (see compute::Targets).
        let mut by_price: Vec<(u32, i128, u32)> = self
            .targets(e)
            .map(|i| (u32::try_from(i).unwrap_or(u32::MAX), net_of(st, i), qty(i)))
            .collect();
        crate::sorting::sort_by(&mut by_price, |&(_, na, qa), &(_, nb, qb)| {
            let (qa, qb) = (i128::from(qa), i128::from(qb));
            // Nets within 64 bits (every real price): a widening product cannot overflow.
            if let (Ok(x), Ok(y)) = (i64::try_from(na), i64::try_from(nb)) {
                return (i128::from(x) * qb).cmp(&(i128::from(y) * qa));
            }
            match (na.checked_mul(qb), nb.checked_mul(qa)) {
                (Some(x), Some(y)) => x.cmp(&y),
                _ => {
                    let d = |n: i128, q: i128| {
                        to_decimal(n, self.dp)
                            .ok()
                            .and_then(|n| n.checked_mul(Decimal::from(q)))
                    };
                    d(na, qb).cmp(&d(nb, qa))
                }
            }
        });
        let mode = self.input.rounding.discount;
        let mut total = 0i128;
        for (i, net, q) in by_price {
            if free == 0 {
                break;
            }
            let (i, q) = (i as usize, u64::from(q));
            let k = free.min(q);
            free -= k;
            let num = Decimal::from(k).checked_mul(percent).ok_or_else(overflow)?;
            let den = Decimal::from(q)
                .checked_mul(Decimal::ONE_HUNDRED)
                .ok_or_else(overflow)?;
            let d = Ratio::new(num, den).apply(mode, net, self.dp)?.min(net);
            total = add(total, book(st, i, e.promo, d)?)?;
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
        let basis = st.nets.iter().try_fold(0i128, |a, n| add(a, *n))?;
        let basis = to_decimal(basis, self.dp)?;
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
        best.map(|(rate, price)| {
            let price = self.units_of(price)?;
            Ok(ShippingState {
                rate,
                price,
                net: price,
                discounts: Vec::new(),
            })
        })
        .transpose()
    }

    fn apply_shipping(&self, e: &Eligible, st: &mut State) -> Result<i128> {
        let (Some(p), Some(ship)) = (self.input.promotions.get(e.promo), st.shipping.as_mut())
        else {
            return Ok(0);
        };
        let net = ship.net;
        let d = match &p.action {
            Action::FreeShipping => net,
            Action::PercentOff { percent } => {
                Ratio::percent(*percent).apply(self.input.rounding.discount, net, self.dp)?
            }
            Action::AmountOff { amount, .. } => self.units_of(amount.amount())?,
            _ => 0,
        }
        .min(net)
        .max(0);
        if d != 0 {
            ship.net = net.checked_sub(d).ok_or_else(overflow)?;
            ship.discounts.push((e.promo, d));
        }
        Ok(d)
    }
}

/// Records a line discount; returns it.
fn book(st: &mut State, line: usize, promo: usize, d: i128) -> Result<i128> {
    if d == 0 {
        return Ok(d);
    }
    if let Some(net) = st.nets.get_mut(line) {
        *net = net.checked_sub(d).ok_or_else(overflow)?;
    }
    st.discounts.push(Booked {
        line,
        promo,
        amount: d,
    });
    Ok(d)
}
