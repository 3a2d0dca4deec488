//! Reorder policies and the reorder run.
//!
//! Formulas (see `docs/inventory.md` for worked examples):
//! - reorder point = d̄·L + z·σ·√L, z = Φ⁻¹(service level) ([`reorder_point`]);
//! - EOQ = √(2DS/H) ([`eoq`]);
//! - min/max: projected ≤ min ⇒ order max − projected, rounded up to the multiple ([`min_max`]);
//! - (s, S): position ≤ s ⇒ order S − position; valid iff S > s ([`s_s`]);
//! - the supplier's minimum order quantity raises any positive order ([`adjust_quantity`]).

mod normal;
mod policy;
mod run;

pub use normal::inverse_normal_cdf;
pub use policy::{
    adjust_quantity, eoq, min_max, reorder_point, reorder_point_quantity, s_s, validate_s_s,
    z_for_service_level, EoqInput, EoqResult, MinMaxInput, OrderDecision, ReorderPointInput,
    ReorderPointResult, ReorderReason, SsInput, RESULT_DP, Z_DP,
};
pub use run::{
    reorder_run, ReorderItem, ReorderPolicy, ReorderRule, ReorderRunInput, ReorderRunResult,
    ReorderSuggestion,
};
