//! Inventory: stock per location, reservations, adjustments, reorder policies.

// Reorder policies, adjustments, barcodes and low-stock decisions (supply branch).
pub mod adjustment;
pub mod alerts;
pub mod barcode;
pub mod reorder;

// Stock levels and reservations (checkout engine).
pub mod reservation;
pub mod stock;
