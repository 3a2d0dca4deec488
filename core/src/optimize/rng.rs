//! A small seeded PRNG (xoshiro256++ seeded through SplitMix64) and standard normal draws.
//!
//! Written here rather than pulled from `rand` so the stream is fixed by this file alone:
//! the same seed gives the same numbers on every host (native, wasm, any pointer width),
//! and no OS randomness is ever touched.

/// Deterministic generator: xoshiro256++ (Blackman and Vigna), seeded by SplitMix64.
#[derive(Debug, Clone)]
pub struct Xoshiro256 {
    s: [u64; 4],
    spare_normal: Option<f64>,
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Xoshiro256 {
    /// A generator whose whole stream is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        let mut st = seed;
        let s = [
            splitmix(&mut st),
            splitmix(&mut st),
            splitmix(&mut st),
            splitmix(&mut st),
        ];
        Xoshiro256 {
            s,
            spare_normal: None,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = self.s;
        let result = s0.wrapping_add(s3).rotate_left(23).wrapping_add(s0);
        let t = s1 << 17;
        let mut n = [s0, s1, s2 ^ s0, s3 ^ s1];
        n[1] ^= n[2];
        n[0] ^= n[3];
        n[2] ^= t;
        n[3] = n[3].rotate_left(45);
        self.s = n;
        result
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (`n > 0`; returns 0 for `n == 0`), by Lemire's method.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let m = u128::from(self.next_u64()) * (n as u128);
        (m >> 64) as usize
    }

    /// A standard normal draw (Marsaglia polar method). Uses only IEEE basic operations,
    /// `sqrt` and [`portable_ln`], so draws are bit-identical on every host.
    pub fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        loop {
            let u = 2.0 * self.next_f64() - 1.0;
            let v = 2.0 * self.next_f64() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * portable_ln(s) / s).sqrt();
                self.spare_normal = Some(v * f);
                return u * f;
            }
        }
    }
}

/// Natural logarithm from IEEE basic operations only (no platform `libm`), accurate to a few
/// ulps, for positive finite `x`; returns NaN otherwise. Platform `ln` may differ in the last
/// bit between hosts; this one does not.
pub fn portable_ln(x: f64) -> f64 {
    if !(x > 0.0 && x.is_finite()) {
        return f64::NAN;
    }
    let bits = x.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut m_bits = bits;
    if exp == 0 {
        // subnormal: scale up by 2^54 first
        let y = x * 18_014_398_509_481_984.0;
        m_bits = y.to_bits();
        exp = ((m_bits >> 52) & 0x7ff) as i64 - 54;
    }
    let mut m = f64::from_bits((m_bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let mut e = exp - 1023;
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.172
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..14 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + (e as f64) * std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_sane_moments() {
        let (mut a, mut b) = (Xoshiro256::new(42), Xoshiro256::new(42));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        let mut r = Xoshiro256::new(1);
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((var - 1.0).abs() < 0.05, "{var}");
        assert!((0..1000).all(|_| r.below(7) < 7));
        for x in [
            1e-300, 0.001, 0.5, 0.9999, 1.0, 1.5, 2.0, 10.0, 1e10, 5e-324,
        ] {
            let (a, b) = (portable_ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0),
                "{x}: {a} {b}"
            );
        }
    }
}
