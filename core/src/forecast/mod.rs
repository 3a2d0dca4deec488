//! Demand forecasting: exponential smoothing family.
