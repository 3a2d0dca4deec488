//! Inventory: stock per location, reservations, adjustments, reorder policies.
