//! Logarithm and exponential from `+ - * /` only, so a model gives the same
//! bits natively, in wasmtime and in a browser. `f64::ln` and `f64::exp`
//! come from the platform's libm, whose last bits differ between systems.

/// Natural logarithm, accurate to a few ulp for positive finite `x`.
/// Zero and negatives give negative infinity and NaN like `f64::ln`.
pub fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return f64::INFINITY;
    }
    // x = m · 2^e with m in [1, 2), read from the bits (exact).
    let (mut m, mut e) = split(x);
    // Centre m on 1 so the series converges fast: m in [0.707, 1.414).
    if m > std::f64::consts::SQRT_2 {
        m /= 2.0;
        e += 1;
    }
    // ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    // 0.172^2 = 0.0295 per term: 12 terms reach below 1e-18 relative.
    for _ in 0..14 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    2.0 * sum + f64::from(e) * std::f64::consts::LN_2
}

/// e^x, accurate to a few ulp; overflows to infinity above ~709.78 and
/// underflows to 0 below ~-745.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x > 709.78 {
        return f64::INFINITY;
    }
    if x < -745.2 {
        return 0.0;
    }
    // x = k ln2 + r, |r| <= ln2/2; e^x = 2^k e^r.
    let k = (x / std::f64::consts::LN_2 + if x < 0.0 { -0.5 } else { 0.5 }) as i32;
    // ln 2 split in two (Cody and Waite): k·LN2_HI is exact, so large k
    // lose no bits in the reduction.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    let r = (x - f64::from(k) * LN2_HI) - f64::from(k) * LN2_LO;
    let mut term = 1.0;
    let mut sum = 1.0;
    for i in 1..=20 {
        term = term * r / f64::from(i);
        sum += term;
    }
    scale(sum, k)
}

/// The logistic function 1 / (1 + e^-x), deterministic.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + exp(-x))
    } else {
        let e = exp(x);
        e / (1.0 + e)
    }
}

fn split(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    if raw_exp == 0 {
        // Subnormal: scale into the normal range first.
        let (m, e) = split(x * 2f64.powi(54));
        return (m, e - 54);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1023 << 52));
    (m, raw_exp - 1023)
}

fn scale(x: f64, k: i32) -> f64 {
    // Multiply by 2^k in two steps so neither factor overflows.
    let half = k / 2;
    x * pow2(half) * pow2(k - half)
}

fn pow2(k: i32) -> f64 {
    if k < -1022 {
        return pow2(-1022) * pow2(k + 1022);
    }
    f64::from_bits(((k + 1023) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_matches_the_platform_to_a_few_ulp() {
        for &x in &[
            1e-300, 1e-10, 0.001, 0.5, 0.999, 1.0, 1.0001, 2.0, 3.7, 10.0, 1e6, 1e300,
        ] {
            let (a, b) = (ln(x), x.ln());
            assert!(
                (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1.0),
                "ln {x}: {a} vs {b}"
            );
        }
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!((ln(5e-324) - (5e-324f64).ln()).abs() < 1e-12);
    }

    #[test]
    fn exp_matches_the_platform_to_a_few_ulp() {
        for &x in &[
            -700.0, -20.0, -1.0, -1e-9, 0.0, 1e-9, 0.5, 1.0, 5.0, 50.0, 700.0,
        ] {
            let (a, b) = (exp(x), x.exp());
            assert!(
                (a - b).abs() <= 8.0 * f64::EPSILON * b,
                "exp {x}: {a} vs {b}"
            );
        }
        assert_eq!(exp(800.0), f64::INFINITY);
        assert_eq!(exp(-800.0), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
        assert!(sigmoid(-800.0) >= 0.0 && sigmoid(800.0) <= 1.0);
    }
}
