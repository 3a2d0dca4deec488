//! Inventory: stock per location, reservations, adjustments, reorder policies.

// Stock levels and reservations (checkout engine).
pub mod reservation;
pub mod stock;
