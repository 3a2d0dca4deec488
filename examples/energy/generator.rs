//! The documented seeded generator of the bundled sample `examples/data/energy_prices.csv`.
//!
//! Daily prices of 12 energy contracts over 504 business days from 2024-01-01, seed 2026,
//! with kassa's xoshiro256++ PRNG (so every host writes the same file). Log prices follow
//! correlated random walks with drift: each daily log return is
//! `drift/252 + vol/√252 · (a·z_energy + b·z_sector + c·z_own)` with `a² + b² + c² = 1`,
//! where `z_energy` is shared by all contracts, `z_sector` by the contracts of one sector
//! (oil, gas, power, certificates) and `z_own` is the contract's own shock.

use kassa::optimize::rng::Xoshiro256;

/// `(name, sector, start price, annual drift, annual volatility, energy loading, sector loading)`.
pub const CONTRACTS: [(&str, usize, f64, f64, f64, f64, f64); 12] = [
    ("crude_front", 0, 78.0, 0.04, 0.32, 0.45, 0.75),
    ("crude_q2", 0, 77.0, 0.035, 0.28, 0.45, 0.75),
    ("heating_oil", 0, 95.0, 0.05, 0.30, 0.45, 0.6),
    ("gas_front", 1, 3.2, 0.08, 0.55, 0.4, 0.7),
    ("gas_winter", 1, 3.9, 0.07, 0.45, 0.4, 0.7),
    ("lng_jkm", 1, 11.5, 0.06, 0.50, 0.35, 0.55),
    ("power_base", 2, 62.0, 0.06, 0.38, 0.35, 0.6),
    ("power_peak", 2, 78.0, 0.07, 0.45, 0.35, 0.6),
    ("power_cal", 2, 65.0, 0.05, 0.22, 0.35, 0.6),
    ("rec_solar", 3, 4.5, 0.10, 0.30, 0.1, 0.6),
    ("rec_wind", 3, 5.2, 0.09, 0.28, 0.1, 0.6),
    ("go_hydro", 3, 2.1, 0.07, 0.25, 0.1, 0.5),
];

/// The seed of the bundled file.
pub const SEED: u64 = 2026;
/// Business days generated.
pub const DAYS: usize = 504;

fn business_days(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut d = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    while out.len() < n {
        use chrono::Datelike;
        if d.weekday().number_from_monday() <= 5 {
            out.push(d.format("%Y-%m-%d").to_string());
        }
        d = d.succ_opt().unwrap_or(d);
    }
    out
}

/// The CSV text (`date,asset,price`, prices with 4 decimals).
pub fn generate(seed: u64) -> String {
    let mut rng = Xoshiro256::new(seed);
    let dates = business_days(DAYS);
    let mut log_p: Vec<f64> = CONTRACTS.iter().map(|c| c.2.ln()).collect();
    let mut csv = String::from("date,asset,price\n");
    let dt = 1.0 / 252.0f64;
    for (day, date) in dates.iter().enumerate() {
        if day > 0 {
            let z_energy = rng.normal();
            let z_sector: Vec<f64> = (0..4).map(|_| rng.normal()).collect();
            for (i, c) in CONTRACTS.iter().enumerate() {
                let (_, sector, _, drift, vol, a, b) = *c;
                let own = (1.0 - a * a - b * b).max(0.0).sqrt();
                let z = a * z_energy + b * z_sector[sector] + own * rng.normal();
                log_p[i] += (drift - 0.5 * vol * vol) * dt + vol * dt.sqrt() * z;
            }
        }
        for (i, c) in CONTRACTS.iter().enumerate() {
            csv.push_str(&format!("{date},{},{:.4}\n", c.0, log_p[i].exp()));
        }
    }
    csv
}
