//! Supply: suppliers, purchase orders, shipments and tracking.
