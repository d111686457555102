//! The arithmetic of the model's feed-forward parts, arranged for speed on
//! the CPU: dense layers over a contiguous transposed weight, and GELU
//! through an erf that vectorises.

use candle_core::{DType, Tensor};
use candle_nn::Linear;

/// A dense layer whose weight is kept transposed, (in, out) and contiguous.
/// candle's `Linear` multiplies by a transposed view of the (out, in)
/// weight, which gemm reads across rows; for the few rows of one message
/// that costs 2-4 times the product over the contiguous transpose (gemm
/// 0.19, one thread, 15 rows: 384 x 384 76 -> 23 us, 384 x 1536 296 -> 140
/// us, 1536 x 384 503 -> 125 us; 128 rows: 1.1-1.3 times). Same arithmetic,
/// same vectors to float rounding.
pub(super) struct Dense {
    weight_t: Tensor,
    bias: Tensor,
}

impl Dense {
    /// The layers `parts` (each (out, in) with a bias, in the file's dtype)
    /// as one, their outputs side by side, in float32. The weight is
    /// transposed before it is made float32: transposing a float32 copy
    /// left each layer's untransposed copy as a hole in the heap (peak RSS
    /// of `faqbot ask` 146 -> 153 MB; this way 146).
    pub(super) fn side_by_side(parts: &[Linear]) -> candle_core::Result<Dense> {
        let weights = parts.iter().map(|l| l.weight().t()).collect::<candle_core::Result<Vec<_>>>()?;
        let biases: Vec<Tensor> = parts.iter().filter_map(|l| l.bias().cloned()).collect();
        if biases.len() != parts.len() {
            return Err(candle_core::Error::Msg("a dense layer of the model has no bias".into()));
        }
        Ok(Dense {
            weight_t: Tensor::cat(&weights, 1)?.contiguous()?.to_dtype(DType::F32)?,
            bias: Tensor::cat(&biases, 0)?.to_dtype(DType::F32)?,
        })
    }

    /// (b, n, in) -> (b, n, out).
    pub(super) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (b, n, width) = x.dims3()?;
        let out = self.weight_t.dim(1)?;
        x.reshape((b * n, width))?.matmul(&self.weight_t)?.broadcast_add(&self.bias)?.reshape((b, n, out))
    }
}

/// GELU as BERT defines it, `x * (1 + erf(x / sqrt 2)) / 2`, over every
/// element. candle's `gelu_erf` calls libm's `erff` one number at a time
/// (about 8 % of a message's time); [`erf`] is a few multiplications that
/// the compiler runs four at a time.
pub(super) fn gelu(x: &Tensor) -> candle_core::Result<Tensor> {
    let mut values = x.flatten_all()?.to_vec1::<f32>()?;
    for v in &mut values {
        *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2));
    }
    Tensor::from_vec(values, x.shape(), x.device())
}

/// Beyond this erf is 1 (or -1) to single precision.
const ERF_SATURATES: f32 = 4.0;
/// The odd numerator of erf's rational approximation on
/// [-[`ERF_SATURATES`], [`ERF_SATURATES`]], highest power first (x^13 ... x):
/// the single-precision fit used by XLA and Eigen.
const ERF_NUMERATOR: [f32; 7] = [
    -2.726_142_3e-10,
    2.770_681_4e-8,
    -2.101_024e-6,
    -5.692_506_4e-5,
    -7.349_906_3e-4,
    -2.954_6e-3,
    -1.609_603_3e-2,
];
/// Its even denominator (x^8 ... x^0).
const ERF_DENOMINATOR: [f32; 5] =
    [-1.456_607_2e-5, -2.133_740_6e-4, -1.682_827e-3, -7.373_329e-3, -1.426_474e-2];

/// erf to within 5e-7 of the exact value (libm's `erff`: 5e-8), with no
/// branch, table or call, so a loop over it vectorises.
fn erf(x: f32) -> f32 {
    let x = x.clamp(-ERF_SATURATES, ERF_SATURATES);
    let x2 = x * x;
    let p = ERF_NUMERATOR.iter().fold(0.0, |acc, &c| acc * x2 + c) * x;
    let q = ERF_DENOMINATOR.iter().fold(0.0, |acc, &c| acc * x2 + c);
    p / q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_is_within_5e_7_of_the_exact_value_everywhere() {
        let mut worst = 0f64;
        for i in -200_000..=200_000 {
            let x = i as f32 * 5e-5;
            worst = worst.max((erf(x) as f64 - exact_erf(x as f64)).abs());
        }
        assert!(worst < 5e-7, "worst error {worst:e}");
        assert_eq!(erf(0.0), 0.0);
        assert!((erf(30.0) - 1.0).abs() < 1e-6 && (erf(-30.0) + 1.0).abs() < 1e-6);
    }

    /// erf in double precision: its Taylor series below 3, the continued
    /// fraction of its complement above.
    fn exact_erf(x: f64) -> f64 {
        let (sign, x) = (x.signum(), x.abs());
        if x < 3.0 {
            let (mut term, mut sum, mut n) = (x, x, 0.0f64);
            while term.abs() > 1e-17 {
                n += 1.0;
                term *= -x * x / n;
                sum += term / (2.0 * n + 1.0);
            }
            sign * sum * 2.0 / std::f64::consts::PI.sqrt()
        } else {
            // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
            let mut f = 0.0f64;
            for k in (1..60).rev() {
                f = (k as f64 / 2.0) / (x + f);
            }
            sign * (1.0 - (-x * x).exp() / std::f64::consts::PI.sqrt() / (x + f))
        }
    }
}
