//! Optimization: portfolio construction, risk scenarios and QUBO asset selection.
//!
//! Floats are used throughout (this is not money). Every whole operation takes a request in
//! the camelCase serde form and returns a serializable result; see [`ops`] and
//! `docs/optimize.md` for the formulas.
//!
//! - [`returns`]: price series to returns, expected returns;
//! - [`cholesky`]: the blocked dense Cholesky factorization the solver runs on;
//! - [`covariance`]: sample and Ledoit-Wolf covariance, positive-definite check and repair;
//! - [`portfolio`]: mean-variance portfolios (min variance, targets, max Sharpe);
//! - [`frontier`]: the efficient frontier;
//! - [`risk`]: VaR and CVaR (historical, parametric, Monte Carlo) and scenarios;
//! - [`qubo`]: QUBO models, exact and annealing solvers, the `QuantumSampler` port;
//! - [`market`]: the `MarketDataSource` port and its TTL cache;
//! - [`rng`]: the seeded, host-independent PRNG.

pub mod cholesky;
pub mod covariance;
pub mod eigen;
pub mod frontier;
pub mod market;
pub mod ops;
pub mod portfolio;
mod qp;
pub mod qubo;
pub mod returns;
pub mod risk;
pub mod rng;
pub mod scenario;
