//! Optimization: portfolio, risk scenarios, QUBO selection.
