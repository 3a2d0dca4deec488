//! The priced cart from the chosen state: lines, shipping, taxes by rule, totals and the
//! explanation. Sums are `i128` minor units; ids are shared `Arc<str>`s, not copies.

use super::apply::State;
use super::compute::{normalize_code, Coupons, Pricer};
use super::line_tax::{LineTax, Taxer};
use super::output::{
    AppliedPromotion, CouponOutcome, LineDiscount, PricedCart, PricedLine, PricedShipping,
    RejectedPromotion, RejectionReason, TaxAmount, Totals,
};
use super::units::{overflow, to_decimal};
use crate::error::Result;
use crate::money::Money;
use rust_decimal::Decimal;
use std::sync::Arc;

/// The sums of the lines in minor units. They are added without overflow checks, which is
/// exact when every line's subtotal, net and tax is a non-negative 63-bit value (`bits`
/// tells): a line's discount, taxable amount and total are then within 65 bits and no vector
/// holds enough lines for a sum of them to reach 127 bits. Otherwise [`verify`] replays the
/// checked arithmetic. The per-rule sums are unchecked on the same grounds (a rule's taxable
/// amount and tax are within 64 bits per line), and otherwise [`Pricer::checked_rule_sums`]
/// adds them again with checks.
#[derive(Default)]
struct Sums {
    subtotal: i128,
    discount_total: i128,
    tax_included: i128,
    tax_added: i128,
    lines_total: i128,
    /// Per rule: (taxable, tax, whether a line uses it).
    by_rule: Vec<(i128, i128, bool)>,
    /// Every line's subtotal, net and tax ORed.
    bits: i128,
}

impl Sums {
    #[inline(always)]
    fn add(&mut self, inclusive: bool, s_u: i128, n_u: i128, t: LineTax) {
        let t_u = t.tax;
        let (total, taxable) = if inclusive {
            self.tax_included = self.tax_included.wrapping_add(t_u);
            (n_u, n_u.wrapping_sub(t_u))
        } else {
            self.tax_added = self.tax_added.wrapping_add(t_u);
            (n_u.wrapping_add(t_u), n_u)
        };
        if let Some(sums) = t.rule.and_then(|r| self.by_rule.get_mut(r)) {
            sums.0 = sums.0.wrapping_add(taxable);
            sums.1 = sums.1.wrapping_add(t_u);
            sums.2 = true;
        }
        self.subtotal = self.subtotal.wrapping_add(s_u);
        self.discount_total = self.discount_total.wrapping_add(s_u.wrapping_sub(n_u));
        self.lines_total = self.lines_total.wrapping_add(total);
        self.bits |= s_u | n_u | t_u;
    }

    /// Whether the unchecked sums are exact (see the type's documentation).
    fn exact(&self) -> bool {
        i64::try_from(self.bits).is_ok_and(|b| b >= 0)
    }
}

/// The checked replay of [`Sums`] for lines with a negative or past-63-bit amount: the
/// overflow error when a line amount or a sum overflows, or when a line amount does not fit
/// a `Decimal` (96 bits), as building the lines' `Money` did.
fn verify(lines: &[PricedLine]) -> Result<()> {
    let fits = |u: i128| u.unsigned_abs() < 1u128 << 96;
    let mut sums = [0i128; 5];
    for l in lines {
        let (s_u, n_u, t_u) = l.units();
        let disc = s_u.checked_sub(n_u).ok_or_else(overflow)?;
        let (total, _taxable) = if l.tax_inclusive {
            (n_u, n_u.checked_sub(t_u).ok_or_else(overflow)?)
        } else {
            (n_u.checked_add(t_u).ok_or_else(overflow)?, n_u)
        };
        let (included, added) = if l.tax_inclusive { (t_u, 0) } else { (0, t_u) };
        for (sum, v) in sums.iter_mut().zip([s_u, disc, included, added, total]) {
            *sum = sum.checked_add(v).ok_or_else(overflow)?;
        }
        if ![s_u, n_u, t_u, disc, total].into_iter().all(fits) {
            return Err(overflow());
        }
    }
    Ok(())
}

impl<'a> Pricer<'a> {
    /// The per-rule (taxable, tax, used) sums with every addition checked: the slow path of
    /// [`Sums`] for lines whose amounts are not all non-negative 63-bit values. A line's rule
    /// is its tax class's, as the taxer gave it when the line was built.
    #[cold]
    fn checked_rule_sums(
        &self,
        taxer: &mut Taxer<'a>,
        lines: &[PricedLine],
    ) -> Result<Vec<(i128, i128, bool)>> {
        let input: &'a [super::PricingLine] = self.input.lines;
        let mut by_rule = vec![(0i128, 0i128, false); self.input.tax_rules.len()];
        for (line, priced) in input.iter().zip(lines) {
            let Some(sums) = taxer
                .rule_of(self, &line.tax_class)
                .and_then(|r| by_rule.get_mut(r))
            else {
                continue;
            };
            let (_, n_u, t_u) = priced.units();
            let taxable = if priced.tax_inclusive {
                n_u.checked_sub(t_u).ok_or_else(overflow)?
            } else {
                n_u
            };
            sums.0 = sums.0.checked_add(taxable).ok_or_else(overflow)?;
            sums.1 = sums.1.checked_add(t_u).ok_or_else(overflow)?;
            sums.2 = true;
        }
        Ok(by_rule)
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
        if !sums.exact() {
            verify(&lines)?;
            sums.by_rule = self.checked_rule_sums(&mut taxer, &lines)?;
        }
        let Sums {
            subtotal,
            discount_total,
            tax_included,
            tax_added,
            lines_total,
            by_rule,
            ..
        } = sums;
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
        crate::sorting::sort_by(&mut tax_lines, |a, b| a.tax_rule_id.cmp(&b.tax_rule_id));
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
        crate::sorting::sort_by(&mut rejected, |a, b| {
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
