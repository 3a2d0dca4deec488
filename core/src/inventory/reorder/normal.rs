//! The inverse of the standard normal CDF (Wichura 1988, algorithm AS 241, `PPND16`).
//!
//! Accurate to about 1e-16 relative over the whole open interval (0, 1). Written out here
//! (rather than pulling a statistics crate) because it is twenty lines of published
//! coefficients and the only piece of distribution theory the reorder policies need.

/// z such that Φ(z) = `p`, for 0 < p < 1; `None` outside that open interval or for NaN.
// The coefficients are AS 241's as published (more digits than an f64 holds).
#[allow(clippy::inconsistent_digit_grouping, clippy::excessive_precision)]
pub fn inverse_normal_cdf(p: f64) -> Option<f64> {
    if !(p > 0.0 && p < 1.0) {
        return None;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        let num = ((((((2509.080_928_730_122_7 * r + 33430.575_583_588_128) * r
            + 67265.770_927_008_7)
            * r
            + 45921.953_931_549_87)
            * r
            + 13731.693_765_509_461)
            * r
            + 1971.590_950_306_551_3)
            * r
            + 133.141_667_891_784_38)
            * r
            + 3.387_132_872_796_366_5;
        let den = ((((((5226.495_278_852_545 * r + 28729.085_735_721_943) * r
            + 39307.895_800_092_71)
            * r
            + 21213.794_301_586_597)
            * r
            + 5394.196_021_424_751)
            * r
            + 687.187_007_492_057_9)
            * r
            + 42.313_330_701_600_91)
            * r
            + 1.0;
        return Some(q * num / den);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let z = if r <= 5.0 {
        let r = r - 1.6;
        let num = ((((((7.745_450_142_783_414e-4 * r + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5;
        let den = ((((((1.050_750_071_644_416_9e-9 * r + 5.475_938_084_995_345e-4) * r
            + 0.015_198_666_563_616_457)
            * r
            + 0.148_103_976_427_480_08)
            * r
            + 0.689_767_334_985_1)
            * r
            + 1.676_384_830_183_803_8)
            * r
            + 2.053_191_626_637_759)
            * r
            + 1.0;
        num / den
    } else {
        let r = r - 5.0;
        let num = ((((((2.010_334_399_292_288_1e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 1.242_660_947_388_078_4e-3)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103;
        let den = ((((((2.044_263_103_389_939_7e-15 * r + 1.421_511_758_316_446e-7) * r
            + 1.846_318_317_510_054_8e-5)
            * r
            + 7.868_691_311_456_133e-4)
            * r
            + 0.014_875_361_290_850_615)
            * r
            + 0.136_929_880_922_735_8)
            * r
            + 0.599_832_206_555_888)
            * r
            + 1.0;
        num / den
    };
    Some(if q < 0.0 { -z } else { z })
}

#[cfg(test)]
mod tests {
    use super::inverse_normal_cdf;

    #[test]
    fn known_quantiles() {
        let cases = [
            (0.5, 0.0),
            (0.8, 0.841_621_233_572_914_2),
            (0.9, 1.281_551_565_544_600_4),
            (0.95, 1.644_853_626_951_472_2),
            (0.975, 1.959_963_984_540_054),
            (0.99, 2.326_347_874_040_840_8),
            (0.999, 3.090_232_306_167_813_5),
            (1e-10, -6.361_340_902_404_056),
        ];
        for (p, z) in cases {
            let got = inverse_normal_cdf(p).unwrap();
            assert!((got - z).abs() < 1e-12, "p={p}: got {got}, want {z}");
        }
        assert!((inverse_normal_cdf(0.05).unwrap() + 1.644_853_626_951_472_2).abs() < 1e-12);
        assert_eq!(inverse_normal_cdf(0.0), None);
        assert_eq!(inverse_normal_cdf(1.0), None);
        assert_eq!(inverse_normal_cdf(f64::NAN), None);
    }
}
