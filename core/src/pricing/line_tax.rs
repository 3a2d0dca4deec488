//! Tax of every line at the `tax` rounding point, per unit, per line or per total.

use super::apply::State;
use super::compute::Pricer;
use super::text::same_text;
use super::units::{allocate, overflow, Ratio};
use super::{PricingLine, TaxRoundingLevel};
use crate::error::Result;
use rust_decimal::Decimal;

/// The tax of one line: its rule (index into `taxRules`) and the amount in minor units.
#[derive(Debug, Clone, Copy)]
pub(super) struct LineTax {
    pub(super) rule: Option<usize>,
    pub(super) tax: i128,
}

/// A rule's rate as the two ratios tax uses: `rate` on exclusive prices and
/// `rate ÷ (1 + rate)` on inclusive ones.
struct RuleRatios {
    exclusive: Ratio,
    /// `None` when `1 + rate` overflows: an error only if an inclusive line needs it.
    inclusive: Option<Ratio>,
}

impl RuleRatios {
    fn new(rate: Decimal) -> RuleRatios {
        RuleRatios {
            exclusive: Ratio::new(rate, Decimal::ONE),
            inclusive: Decimal::ONE
                .checked_add(rate)
                .map(|one_plus| Ratio::new(rate, one_plus)),
        }
    }

    fn for_line(&self, inclusive: bool) -> Result<&Ratio> {
        if inclusive {
            self.inclusive.as_ref().ok_or_else(overflow)
        } else {
            Ok(&self.exclusive)
        }
    }
}

/// The tax of each line in turn, for the output's single pass over the lines: tax classes
/// are looked up once each (a cart has few), each rule's ratios prepared once, and per-total
/// taxes computed up front (they need every line of a rule).
pub(super) struct Taxer<'a> {
    classes: Vec<(&'a str, Option<usize>)>,
    ratios: Vec<Option<RuleRatios>>,
    /// Per-total level: every line's tax, by line index.
    per_total: Option<Vec<LineTax>>,
}

impl<'a> Pricer<'a> {
    /// The taxer of this cart after `st`'s discounts.
    pub(super) fn taxer(&self, st: &State) -> Result<Taxer<'a>> {
        let input = self.input;
        let mut t = Taxer {
            classes: Vec::new(),
            ratios: Vec::new(),
            per_total: None,
        };
        if input.rounding.tax_level == TaxRoundingLevel::PerTotal {
            let mut out = Vec::with_capacity(input.lines.len());
            for line in input.lines {
                out.push(LineTax {
                    rule: t.rule_of(self, &line.tax_class),
                    tax: 0,
                });
            }
            self.per_total_taxes(st, &mut out)?;
            t.per_total = Some(out);
        } else {
            t.ratios = input
                .tax_rules
                .iter()
                .map(|r| (!r.rate.is_zero()).then(|| RuleRatios::new(r.rate)))
                .collect();
        }
        Ok(t)
    }
}

impl<'a> Taxer<'a> {
    /// The rule of a tax class: one of the classes already seen (inlined: a short loop),
    /// else looked up once.
    #[inline(always)]
    pub(super) fn rule_of(&mut self, p: &Pricer<'a>, class: &'a str) -> Option<usize> {
        // A plain loop: `Iter::find` with the comparison closure was not inlined (~50
        // instructions per line).
        for &(c, r) in &self.classes {
            if same_text(c, class) {
                return r;
            }
        }
        self.look_up(p, class)
    }

    #[inline(never)]
    fn look_up(&mut self, p: &Pricer<'a>, class: &'a str) -> Option<usize> {
        let input = p.input;
        let region = input.context.region.as_str();
        let r = input
            .tax_rules
            .iter()
            .position(|t| t.region == region && t.tax_class == class);
        self.classes.push((class, r));
        r
    }

    /// The tax of line `i` (`line`, whose net after discounts is `net`).
    #[inline]
    pub(super) fn line(
        &mut self,
        p: &Pricer<'a>,
        i: usize,
        line: &'a PricingLine,
        net: i128,
    ) -> Result<LineTax> {
        if let Some(all) = &self.per_total {
            return Ok(all
                .get(i)
                .copied()
                .unwrap_or(LineTax { rule: None, tax: 0 }));
        }
        let rule = self.rule_of(p, &line.tax_class);
        let ratios = rule
            .and_then(|r| self.ratios.get(r))
            .and_then(Option::as_ref);
        let (Some(ratios), false) = (ratios, net == 0) else {
            return Ok(LineTax { rule, tax: 0 });
        };
        let rounding = &p.input.rounding;
        let (mode, dp) = (rounding.tax, p.dp);
        let ratio = ratios.for_line(line.tax_inclusive)?;
        let tax = if rounding.tax_level == TaxRoundingLevel::PerUnit {
            // Tax of one unit (net ÷ quantity), rounded, times the quantity.
            ratio
                .per(line.quantity)?
                .apply(mode, net, dp)?
                .checked_mul(i128::from(line.quantity))
                .ok_or_else(overflow)?
        } else {
            ratio.apply(mode, net, dp)?
        };
        let tax = if line.tax_inclusive {
            tax.min(net)
        } else {
            tax
        };
        Ok(LineTax { rule, tax })
    }
}

impl Pricer<'_> {
    /// Per-total rounding: one rounded tax per (rule, inclusive) group, allocated to its lines
    /// by their nets exactly.
    fn per_total_taxes(&self, st: &State, out: &mut [LineTax]) -> Result<()> {
        let input = self.input;
        let mode = input.rounding.tax;
        let mut members: Vec<usize> = Vec::new();
        let mut weights: Vec<i128> = Vec::new();
        let mut parts: Vec<i128> = Vec::new();
        for (ri, rule) in input.tax_rules.iter().enumerate() {
            if rule.rate.is_zero() {
                continue;
            }
            let ratios = RuleRatios::new(rule.rate);
            for inclusive in [false, true] {
                members.clear();
                members.extend(self.line_order().filter(|&i| {
                    out.get(i).is_some_and(|t| t.rule == Some(ri))
                        && input
                            .lines
                            .get(i)
                            .is_some_and(|l| l.tax_inclusive == inclusive)
                }));
                if members.is_empty() {
                    continue;
                }
                weights.clear();
                weights.extend(
                    members
                        .iter()
                        .map(|i| st.nets.get(*i).copied().unwrap_or(0)),
                );
                let base = weights
                    .iter()
                    .try_fold(0i128, |a, w| a.checked_add(*w))
                    .ok_or_else(overflow)?;
                if base == 0 {
                    continue;
                }
                let total = ratios.for_line(inclusive)?.apply(mode, base, self.dp)?;
                let total = if inclusive { total.min(base) } else { total };
                allocate(total, &weights, &mut parts)?;
                for (i, part) in members.iter().zip(&parts) {
                    if let Some(slot) = out.get_mut(*i) {
                        slot.tax = *part;
                    }
                }
            }
        }
        Ok(())
    }
}
