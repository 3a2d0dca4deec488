//! The priced cart from the chosen state: lines, shipping, taxes by rule, totals and the
//! explanation. Sums are `i128` minor units; ids are shared `Arc<str>`s, not copies.

use super::apply::State;
use super::compute::{normalize_code, Coupons, Pricer};
use super::line_tax::LineTax;
use super::output::{
    AppliedPromotion, CouponOutcome, LineDiscount, PricedCart, PricedLine, PricedShipping,
    RejectedPromotion, RejectionReason, TaxAmount, Totals,
};
use super::units::{overflow, to_decimal};
use crate::error::Result;
use crate::money::Money;
use rust_decimal::Decimal;
use std::sync::Arc;

/// The sums of the lines in minor units, checked: an overflow is remembered rather than
/// returned, so the pass that builds the lines cannot fail.
#[derive(Default)]
struct Sums {
    subtotal: i128,
    discount_total: i128,
    tax_included: i128,
    tax_added: i128,
    lines_total: i128,
    /// Per rule: (taxable, tax, whether a line uses it).
    by_rule: Vec<(i128, i128, bool)>,
    /// Every line amount ORed: a non-negative 63-bit value means every amount fits.
    bits: i128,
    overflow: bool,
}

impl Sums {
    #[inline(always)]
    fn acc(overflow: &mut bool, sum: &mut i128, v: i128) {
        match sum.checked_add(v) {
            Some(s) => *sum = s,
            None => *overflow = true,
        }
    }

    #[inline(always)]
    fn add(&mut self, inclusive: bool, s_u: i128, n_u: i128, t: LineTax) {
        let o = &mut self.overflow;
        let t_u = t.tax;
        let disc = s_u.checked_sub(n_u).unwrap_or_else(|| {
            *o = true;
            0
        });
        let (total, taxable) = if inclusive {
            Self::acc(o, &mut self.tax_included, t_u);
            (n_u, n_u.checked_sub(t_u))
        } else {
            Self::acc(o, &mut self.tax_added, t_u);
            (
                n_u.checked_add(t_u).unwrap_or_else(|| {
                    *o = true;
                    0
                }),
                Some(n_u),
            )
        };
        let taxable = taxable.unwrap_or_else(|| {
            *o = true;
            0
        });
        if let Some(sums) = t.rule.and_then(|r| self.by_rule.get_mut(r)) {
            Self::acc(o, &mut sums.0, taxable);
            Self::acc(o, &mut sums.1, t_u);
            sums.2 = true;
        }
        Self::acc(o, &mut self.subtotal, s_u);
        Self::acc(o, &mut self.discount_total, disc);
        Self::acc(o, &mut self.lines_total, total);
        self.bits |= s_u | n_u | t_u | disc | total;
    }
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
        let mut taxer = self.taxer(&st)?;
        let mut sums = Sums {
            by_rule: vec![(0, 0, false); input.tax_rules.len()],
            ..Sums::default()
        };
        let State {
            nets,
            discounts,
            shipping,
            amounts,
            ..
        } = st;
        // One pass builds the lines (three integers each) with their tax and the checked
        // sums. The map cannot fail, so each line is written in place in the vector; a tax
        // or sum that overflows is kept and returned after the pass.
        let mut tax_error = None;
        let mut lines: Vec<PricedLine> = input
            .lines
            .iter()
            .zip(&self.subtotals)
            .zip(&nets)
            .enumerate()
            .map(|(i, ((line, &s_u), &n_u))| {
                let t = match taxer.line(self, i, line, n_u) {
                    Ok(t) => t,
                    Err(e) => {
                        tax_error.get_or_insert(e);
                        LineTax { rule: None, tax: 0 }
                    }
                };
                let rate = t
                    .rule
                    .and_then(|r| input.tax_rules.get(r))
                    .map_or(Decimal::ZERO, |r| r.rate);
                sums.add(line.tax_inclusive, s_u, n_u, t);
                PricedLine::from_units(
                    line.line_id.clone(),
                    line.quantity,
                    line.unit_price,
                    line.tax_inclusive,
                    rate,
                    self.cur,
                    (s_u, n_u, t.tax),
                )
            })
            .collect();
        if let Some(e) = tax_error {
            return Err(e);
        }
        if sums.overflow {
            return Err(overflow());
        }
        let Sums {
            subtotal,
            discount_total,
            tax_included,
            tax_added,
            lines_total,
            by_rule,
            bits,
            ..
        } = sums;
        if !i64::try_from(bits).is_ok_and(|b| b >= 0) {
            // Rare: an amount past 63 bits or negative; each must still fit a `Decimal`.
            for l in &lines {
                // The pass checked these sums, so wrapping is exact here.
                let (s_u, n_u, t_u) = l.units();
                let total = if l.tax_inclusive {
                    n_u
                } else {
                    n_u.wrapping_add(t_u)
                };
                let all = [s_u, n_u, t_u, s_u.wrapping_sub(n_u), total];
                if !all.iter().all(|u| u.unsigned_abs() < 1u128 << 96) {
                    return Err(overflow());
                }
            }
        }
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
