//! The key texts' vectors, laid out for the one product every message
//! needs: its few vectors (the whole message, its parts) against every key
//! text. Brute force: on the largest bank here (46,127 key texts) one pass
//! over all of them is a few milliseconds, and an approximate index would
//! trade recall for time the model's reading of the message dwarfs.
//!
//! The vectors are kept in blocks of [`BLOCK_ROWS`] key texts, dimension by
//! dimension (the block's first numbers are dimension 0 of each of its key
//! texts), so that one vector register holds one dimension of a whole block
//! and each lane sums one key text's cosine: no sums across lanes, and the
//! block is read from memory once for all of a message's vectors. A general
//! matrix product (gemm, through candle) re-packed all 46,127 rows on every
//! message: 13.5 ms against 2.1 ms here, 4 message vectors, same run.
//!
//! The numbers are kept as bfloat16 (the top half of an f32): reading 71 MB
//! of f32 from memory was most of the product's time on a large bank, and
//! half of it is half the time (`cargo bench --bench matcher --
//! vector_index`: 4 message vectors 5.8 -> 2.1 ms, measured one after the
//! other; README, speed). A cosine moves by at most 2^-9 (each number is
//! off by at most that fraction of itself), typically 1e-4; every figure of
//! the README's tables was re-measured with it.

use crate::encoder::DIMS;

/// Key texts side by side in a block: 16 lanes of f32 fill one AVX-512
/// register (two AVX2 ones).
const BLOCK_ROWS: usize = 16;
/// Message vectors summed in one pass over a block. Each keeps its own
/// accumulator, and the processor's fused multiply-adds wait about 4 cycles
/// on the previous one into the same accumulator: 4 independent ones keep
/// it busy. More (8) made the compiler spill registers (measured 10 times
/// slower).
const VECTORS_PER_PASS: usize = 4;

/// Unit vectors of [`DIMS`] numbers, one per key text, in blocks.
#[derive(Debug, Clone, Default)]
pub struct VectorIndex {
    /// Blocks of `BLOCK_ROWS * DIMS` bfloat16s: dimension `d` of row `r` of
    /// a block at `d * BLOCK_ROWS + r`. The last block is padded with zeros.
    blocks: Vec<u16>,
    rows: usize,
}

impl VectorIndex {
    /// From `rows` vectors of [`DIMS`] numbers each, one after the other.
    pub fn new(flat: &[f32]) -> VectorIndex {
        let rows = flat.len() / DIMS;
        let mut blocks = vec![0u16; rows.div_ceil(BLOCK_ROWS) * BLOCK_ROWS * DIMS];
        for (r, row) in flat.chunks_exact(DIMS).enumerate() {
            let block = &mut blocks[(r / BLOCK_ROWS) * BLOCK_ROWS * DIMS..][..BLOCK_ROWS * DIMS];
            for (d, &x) in row.iter().enumerate() {
                block[d * BLOCK_ROWS + r % BLOCK_ROWS] = to_bf16(x);
            }
        }
        VectorIndex { blocks, rows }
    }

    /// How many vectors it holds.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Vector `row` (as stored: each number rounded to bfloat16).
    pub fn row(&self, row: usize) -> Option<Vec<f32>> {
        (row < self.rows).then(|| {
            let block = &self.blocks[(row / BLOCK_ROWS) * BLOCK_ROWS * DIMS..][..BLOCK_ROWS * DIMS];
            block.iter().skip(row % BLOCK_ROWS).step_by(BLOCK_ROWS).map(|&h| from_bf16(h)).collect()
        })
    }

    /// Every key text's dot product with each of `message`'s vectors
    /// ([`DIMS`] numbers each, one after the other): `rows x m` numbers,
    /// key text by key text (`out[row * m + j]` for message vector `j`).
    pub fn products(&self, message: &[f32]) -> Vec<f32> {
        let m = message.len() / DIMS;
        let mut out = vec![0f32; self.rows * m];
        if m == 0 || self.rows == 0 {
            return out;
        }
        // The message's vectors in passes of VECTORS_PER_PASS, the last padded with zeros.
        let passes: Vec<[[f32; DIMS]; VECTORS_PER_PASS]> = message
            .chunks(DIMS * VECTORS_PER_PASS)
            .map(|chunk| {
                let mut pass = [[0f32; DIMS]; VECTORS_PER_PASS];
                for (vector, from) in pass.iter_mut().zip(chunk.chunks_exact(DIMS)) {
                    vector.copy_from_slice(from);
                }
                pass
            })
            .collect();
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the processor has AVX-512F and FMA, checked just above.
                unsafe { products_avx512(&self.blocks, &passes, m, &mut out) };
                return out;
            }
            if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
                // SAFETY: the processor has AVX2 and FMA, checked just above.
                unsafe { products_avx2(&self.blocks, &passes, m, &mut out) };
                return out;
            }
        }
        products(&self.blocks, &passes, m, &mut out);
        out
    }
}

/// [`products`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,fma")]
fn products_avx512(blocks: &[u16], passes: &[[[f32; DIMS]; VECTORS_PER_PASS]], m: usize, out: &mut [f32]) {
    products(blocks, passes, m, out)
}

/// [`products`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn products_avx2(blocks: &[u16], passes: &[[[f32; DIMS]; VECTORS_PER_PASS]], m: usize, out: &mut [f32]) {
    products(blocks, passes, m, out)
}

/// The products, written so the compiler turns the innermost loop into
/// vector instructions: each lane sums one key text over the dimensions in
/// order, with fused multiply-adds (`mul_add`), so every build gives the
/// same numbers (without FMA in hardware, `mul_add` is a slow library call:
/// x86 processors before 2013).
#[inline(always)]
fn products(blocks: &[u16], passes: &[[[f32; DIMS]; VECTORS_PER_PASS]], m: usize, out: &mut [f32]) {
    let rows = out.len() / m;
    for (b, block) in blocks.chunks_exact(BLOCK_ROWS * DIMS).enumerate() {
        for (p, pass) in passes.iter().enumerate() {
            let mut sums = [[0f32; BLOCK_ROWS]; VECTORS_PER_PASS];
            for (d, lanes) in block.chunks_exact(BLOCK_ROWS).enumerate() {
                let lanes: &[u16; BLOCK_ROWS] = lanes.try_into().expect("blocks hold whole rows of lanes");
                let lanes: [f32; BLOCK_ROWS] = std::array::from_fn(|l| from_bf16(lanes[l]));
                for (sum, vector) in sums.iter_mut().zip(pass) {
                    let x = vector[d];
                    for (s, &k) in sum.iter_mut().zip(&lanes) {
                        *s = k.mul_add(x, *s);
                    }
                }
            }
            for (lane, row) in (b * BLOCK_ROWS..rows.min((b + 1) * BLOCK_ROWS)).enumerate() {
                let at = p * VECTORS_PER_PASS;
                for (j, sum) in sums.iter().enumerate().take(m.saturating_sub(at)) {
                    out[row * m + at + j] = sum[lane];
                }
            }
        }
    }
}

/// `x` as bfloat16 (the top 16 bits of an f32), rounded to nearest, ties to even.
fn to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    (bits.wrapping_add(0x7fff + ((bits >> 16) & 1)) >> 16) as u16
}

/// A bfloat16 as f32 (exact).
#[inline(always)]
fn from_bf16(h: u16) -> f32 {
    f32::from_bits(u32::from(h) << 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bfloat16_rounds_to_nearest() {
        assert_eq!(from_bf16(to_bf16(1.0)), 1.0);
        assert_eq!(from_bf16(to_bf16(-0.5)), -0.5);
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even one, 1.
        assert_eq!(from_bf16(to_bf16(1.0 + 1.0 / 256.0)), 1.0);
        // Just above halfway rounds up.
        assert_eq!(from_bf16(to_bf16(1.0 + 1.0 / 256.0 + 1.0 / 4096.0)), 1.0 + 1.0 / 128.0);
        for x in [0.123_456_f32, -0.031_25, 0.999, 1e-6] {
            assert!((from_bf16(to_bf16(x)) - x).abs() <= x.abs() / 512.0, "{x}");
        }
    }

    /// A vector whose numbers follow from `seed`, not of unit length (the product does not care).
    fn vector(seed: usize) -> Vec<f32> {
        (0..DIMS).map(|d| (((seed * 7919 + d * 104_729) % 2001) as f32 - 1000.0) / 1000.0).collect()
    }

    /// The dot product of `key` as stored (bfloat16) with `v`, summed in the index's order.
    fn dot(key: &[f32], v: &[f32]) -> f32 {
        key.iter().zip(v).fold(0.0, |s, (x, y)| from_bf16(to_bf16(*x)).mul_add(*y, s))
    }

    #[test]
    fn products_are_the_dot_products_for_any_number_of_rows_and_message_vectors() {
        for rows in [0usize, 1, 15, 16, 17, 40] {
            let keys: Vec<Vec<f32>> = (0..rows).map(vector).collect();
            let index = VectorIndex::new(&keys.concat());
            assert_eq!(index.len(), rows);
            for m in [0usize, 1, 3, 4, 5, 9] {
                let message: Vec<Vec<f32>> = (0..m).map(|j| vector(1000 + j)).collect();
                let got = index.products(&message.concat());
                assert_eq!(got.len(), rows * m);
                for (r, key) in keys.iter().enumerate() {
                    for (j, v) in message.iter().enumerate() {
                        // Summed in the same order with the same fused steps: equal to the bit.
                        assert_eq!(got[r * m + j], dot(key, v), "rows {rows}, m {m}, row {r}, vector {j}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_row_comes_back_as_it_went_in_to_bfloat16_precision() {
        let keys: Vec<Vec<f32>> = (0..20).map(vector).collect();
        let index = VectorIndex::new(&keys.concat());
        for (r, key) in keys.iter().enumerate() {
            let row = index.row(r).unwrap();
            for (got, want) in row.iter().zip(key) {
                assert!((got - want).abs() <= want.abs() / 256.0, "row {r}: {got} for {want}");
            }
        }
        assert_eq!(index.row(20), None);
        assert!(VectorIndex::new(&[]).is_empty());
    }
}
