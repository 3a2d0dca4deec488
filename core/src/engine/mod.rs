//! Engine: the commerce flows, over ports.
