//! Tax of every line at the `tax` rounding point, per unit, per line or per total.

use super::apply::State;
use super::compute::same_text;
use super::compute::Pricer;
use super::units::{allocate, overflow, Ratio};
use super::TaxRoundingLevel;
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

impl Pricer<'_> {
    /// Tax of every line, by line index.
    pub(super) fn taxes(&self, st: &State) -> Result<Vec<LineTax>> {
        let input = self.input;
        let region = input.context.region.as_str();
        let mode = input.rounding.tax;
        let level = input.rounding.tax_level;
        let mut out = Vec::with_capacity(input.lines.len());
        // Each distinct tax class is looked up once (a cart has few), each rule's ratios
        // prepared once.
        let mut classes: Vec<(&str, Option<usize>)> = Vec::new();
        let mut ratios: Vec<Option<RuleRatios>> = Vec::new();
        if level != TaxRoundingLevel::PerTotal {
            ratios = input
                .tax_rules
                .iter()
                .map(|t| (!t.rate.is_zero()).then(|| RuleRatios::new(t.rate)))
                .collect();
        }
        for (i, line) in input.lines.iter().enumerate() {
            let class = line.tax_class.as_str();
            let known = classes
                .iter()
                .find(|(c, _)| same_text(c, class))
                .map(|(_, r)| *r);
            let rule = match known {
                Some(r) => r,
                None => {
                    let r = input
                        .tax_rules
                        .iter()
                        .position(|t| t.region == region && t.tax_class == class);
                    classes.push((class, r));
                    r
                }
            };
            let ratios = rule.and_then(|r| ratios.get(r)).and_then(Option::as_ref);
            let net = st.nets.get(i).copied().unwrap_or(0);
            let (Some(ratios), false) = (ratios, net == 0) else {
                out.push(LineTax { rule, tax: 0 });
                continue;
            };
            let ratio = ratios.for_line(line.tax_inclusive)?;
            let tax = if level == TaxRoundingLevel::PerUnit {
                // Tax of one unit (net ÷ quantity), rounded, times the quantity.
                ratio
                    .per(line.quantity)?
                    .apply(mode, net, self.dp)?
                    .checked_mul(i128::from(line.quantity))
                    .ok_or_else(overflow)?
            } else {
                ratio.apply(mode, net, self.dp)?
            };
            let tax = if line.tax_inclusive {
                tax.min(net)
            } else {
                tax
            };
            out.push(LineTax { rule, tax });
        }
        if level == TaxRoundingLevel::PerTotal {
            self.per_total_taxes(st, &mut out)?;
        }
        Ok(out)
    }

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
                members.extend(self.order.iter().copied().filter(|&i| {
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
