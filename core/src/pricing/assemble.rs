//! The priced cart from the chosen state: lines, shipping, taxes by rule, totals and the
//! explanation. Sums are `i128` minor units; ids are shared `Arc<str>`s, not copies.

use super::apply::State;
use super::compute::{normalize_code, Coupons, Pricer};
use super::line_tax::LineTax;
use super::output::{
    AppliedPromotion, CouponOutcome, LineDiscount, LineDiscounts, PricedCart, PricedLine,
    PricedShipping, RejectedPromotion, RejectionReason, TaxAmount, Totals,
};
use super::units::{overflow, to_decimal};
use crate::error::Result;
use crate::money::Money;
use rust_decimal::Decimal;
use std::sync::Arc;

/// `*sum += v` in minor units.
fn acc(sum: &mut i128, v: i128) -> Result<()> {
    *sum = sum.checked_add(v).ok_or_else(overflow)?;
    Ok(())
}

impl Pricer<'_> {
    /// Minor units as a `Money` of the cart's currency.
    #[inline(always)]
    fn money(&self, units: i128) -> Result<Money> {
        // Everyday amounts fit 64 bits: `from_minor` builds them without a range check or a
        // `Result` (a currency's minor units are at most 4, a valid `Decimal` scale).
        match i64::try_from(units) {
            Ok(small) => Ok(Money::from_minor(small, self.cur)),
            Err(_) => Ok(Money::new(to_decimal(units, self.dp)?, self.cur)),
        }
    }

    fn promo_id(&self, pi: usize) -> Arc<str> {
        self.input
            .promotions
            .get(pi)
            .map_or_else(|| Arc::from(""), |p| p.id.clone())
    }

    pub(super) fn output(
        &self,
        st: State,
        mut rejected: Vec<(usize, RejectionReason)>,
        coupons: &Coupons,
    ) -> Result<PricedCart> {
        let input = self.input;
        let taxes = self.taxes(&st)?;
        let (mut subtotal, mut discount_total) = (0i128, 0i128);
        let (mut tax_included, mut tax_added, mut lines_total) = (0i128, 0i128, 0i128);
        // Per rule: (taxable, tax, whether a line uses it).
        let mut by_rule: Vec<(i128, i128, bool)> = vec![(0, 0, false); input.tax_rules.len()];
        let State {
            nets,
            discounts,
            shipping,
            amounts,
            ..
        } = st;
        // The four per-line vectors all have one entry per line (built from `input.lines`).
        let per_line = || {
            input
                .lines
                .iter()
                .zip(&self.subtotals)
                .zip(&nets)
                .zip(&taxes)
        };
        // First the sums, checked, and the bits of every line amount: when none is negative
        // or past 63 bits, the lines are then built without any check or `Result`.
        let mut bits = 0i128;
        for (((line, &s_u), &n_u), t) in per_line() {
            let t_u = t.tax;
            let disc = s_u.checked_sub(n_u).ok_or_else(overflow)?;
            let (total, taxable) = if line.tax_inclusive {
                acc(&mut tax_included, t_u)?;
                (n_u, n_u.checked_sub(t_u).ok_or_else(overflow)?)
            } else {
                acc(&mut tax_added, t_u)?;
                (n_u.checked_add(t_u).ok_or_else(overflow)?, n_u)
            };
            if let Some(r) = t.rule {
                if let Some(sums) = by_rule.get_mut(r) {
                    acc(&mut sums.0, taxable)?;
                    acc(&mut sums.1, t_u)?;
                    sums.2 = true;
                }
            }
            acc(&mut subtotal, s_u)?;
            acc(&mut discount_total, disc)?;
            acc(&mut lines_total, total)?;
            bits |= s_u | n_u | t_u | disc | total;
        }
        let rate_of = |t: &LineTax| {
            t.rule
                .and_then(|r| input.tax_rules.get(r))
                .map_or(Decimal::ZERO, |r| r.rate)
        };
        let mut lines: Vec<PricedLine> = if i64::try_from(bits).is_ok_and(|b| b >= 0) {
            let m = |units: i128| Money::from_minor(units as i64, self.cur);
            per_line()
                .map(|(((line, &s_u), &n_u), t)| PricedLine {
                    line_id: line.line_id.clone(),
                    quantity: line.quantity,
                    unit_price: line.unit_price,
                    subtotal: m(s_u),
                    discounts: LineDiscounts::new(),
                    discount_total: m(s_u - n_u),
                    net: m(n_u),
                    tax_inclusive: line.tax_inclusive,
                    tax_rate: rate_of(t),
                    tax: m(t.tax),
                    total: m(if line.tax_inclusive { n_u } else { n_u + t.tax }),
                })
                .collect()
        } else {
            per_line()
                .map(|(((line, &s_u), &n_u), t)| {
                    let total = if line.tax_inclusive {
                        n_u
                    } else {
                        n_u.checked_add(t.tax).ok_or_else(overflow)?
                    };
                    Ok(PricedLine {
                        line_id: line.line_id.clone(),
                        quantity: line.quantity,
                        unit_price: line.unit_price,
                        subtotal: self.money(s_u)?,
                        discounts: LineDiscounts::new(),
                        discount_total: self.money(s_u.checked_sub(n_u).ok_or_else(overflow)?)?,
                        net: self.money(n_u)?,
                        tax_inclusive: line.tax_inclusive,
                        tax_rate: rate_of(t),
                        tax: self.money(t.tax)?,
                        total: self.money(total)?,
                    })
                })
                .collect::<Result<_>>()?
        };
        // Each line's discounts in application order; two fit inline, so this allocates
        // nothing per line in the usual case.
        for b in &discounts {
            if let Some(line) = lines.get_mut(b.line) {
                line.discounts.push(LineDiscount {
                    promotion_id: self.promo_id(b.promo),
                    amount: self.money(b.amount)?,
                });
            }
        }
        let shipping_total = shipping.as_ref().map_or(0, |s| s.net);
        let shipping = match shipping {
            Some(s) => Some(PricedShipping {
                rate_id: input
                    .shipping_rates
                    .get(s.rate)
                    .map_or_else(String::new, |r| r.id.clone()),
                price: self.money(s.price)?,
                discount_total: self.money(s.price.checked_sub(s.net).ok_or_else(overflow)?)?,
                discounts: s
                    .discounts
                    .into_iter()
                    .map(|(p, a)| {
                        Ok(LineDiscount {
                            promotion_id: self.promo_id(p),
                            amount: self.money(a)?,
                        })
                    })
                    .collect::<Result<_>>()?,
                total: self.money(s.net)?,
            }),
            None => None,
        };
        let mut tax_lines: Vec<TaxAmount> = input
            .tax_rules
            .iter()
            .zip(by_rule)
            .filter(|(_, (.., used))| *used)
            .map(|(rule, (taxable, tax, _))| {
                Ok(TaxAmount {
                    tax_rule_id: rule.id.clone(),
                    rate: rule.rate,
                    taxable: self.money(taxable)?,
                    tax: self.money(tax)?,
                })
            })
            .collect::<Result<_>>()?;
        tax_lines.sort_by(|a, b| a.tax_rule_id.cmp(&b.tax_rule_id));
        let tax_total = tax_included.checked_add(tax_added).ok_or_else(overflow)?;
        let grand_total = lines_total
            .checked_add(shipping_total)
            .ok_or_else(overflow)?;
        let total_excluding_tax = grand_total.checked_sub(tax_total).ok_or_else(overflow)?;
        let coupon_of = |pi: usize| coupons.unlocked.get(pi).copied().flatten();
        let applied: Vec<AppliedPromotion> = amounts
            .iter()
            .filter(|(_, a)| *a != 0)
            .map(|&(pi, a)| {
                Ok(AppliedPromotion {
                    promotion_id: self.promo_id(pi),
                    amount: self.money(a)?,
                    coupon_code: coupon_of(pi)
                        .and_then(|c| input.coupons.get(c))
                        .map(|c| normalize_code(&c.code)),
                })
            })
            .collect::<Result<_>>()?;
        rejected.sort_by(|a, b| {
            let (x, y) = (input.promotions.get(a.0), input.promotions.get(b.0));
            x.map(|p| &*p.id).cmp(&y.map(|p| &*p.id))
        });
        let coupon_outcomes = coupons
            .entered
            .iter()
            .map(|(code, ci, own)| {
                let coupon = ci.and_then(|c| input.coupons.get(c));
                let pi = coupon.and_then(|c| self.promo_index(&c.promotion_id));
                let applied_through = pi.is_some_and(|p| {
                    coupon_of(p) == *ci && amounts.iter().any(|(q, a)| *q == p && *a != 0)
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
                    // The promotion's own id when known (the same text), else the coupon's.
                    promotion_id: coupon.map(|c| match pi {
                        Some(p) => self.promo_id(p),
                        None => Arc::from(c.promotion_id.as_str()),
                    }),
                    applied: applied_through && own.is_none(),
                    reason,
                }
            })
            .collect();
        Ok(PricedCart {
            currency: self.cur,
            lines,
            shipping,
            taxes: tax_lines,
            totals: Totals {
                subtotal: self.money(subtotal)?,
                discount_total: self.money(discount_total)?,
                shipping_total: self.money(shipping_total)?,
                tax_total: self.money(tax_total)?,
                tax_included: self.money(tax_included)?,
                tax_added: self.money(tax_added)?,
                total_excluding_tax: self.money(total_excluding_tax)?,
                grand_total: self.money(grand_total)?,
            },
            applied_promotions: applied,
            rejected_promotions: rejected
                .into_iter()
                .map(|(pi, reason)| RejectedPromotion {
                    promotion_id: self.promo_id(pi),
                    reason,
                })
                .collect(),
            coupons: coupon_outcomes,
        })
    }
}
