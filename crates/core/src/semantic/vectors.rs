//! The static word-piece vectors, compiled into the binary (see
//! `models/minilm-static/README.md` and `scripts/distil_static_vectors.py`).

use std::sync::OnceLock;

use super::wordpiece::WordPieces;

pub(super) const VOCAB: &str = include_str!("../../../../models/minilm-static/vocab.txt");
const VECTORS: &[u8] = include_bytes!("../../../../models/minilm-static/vectors.bin");
const MAGIC: &[u8; 4] = b"FQSV";
const HEADER: usize = 12;

/// One vector per word piece, each row an f32 scale then `dims` signed bytes.
#[derive(Debug)]
pub(crate) struct Vectors {
    pub pieces: WordPieces,
    rows: usize,
    dims: usize,
    data: &'static [u8],
}

impl Vectors {
    /// The shipped table, parsed once per process.
    pub(crate) fn shipped() -> &'static Vectors {
        static SHIPPED: OnceLock<Vectors> = OnceLock::new();
        SHIPPED.get_or_init(|| {
            Vectors::parse(VOCAB, VECTORS).expect("models/minilm-static is checked by a unit test")
        })
    }

    fn parse(vocab: &'static str, bytes: &'static [u8]) -> Result<Vectors, String> {
        let word = |at: usize| u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        if bytes.len() < HEADER || &bytes[..4] != MAGIC {
            return Err("vectors.bin: not a static vector table".into());
        }
        let (rows, dims) = (word(4) as usize, word(8) as usize);
        let pieces = WordPieces::new(vocab);
        if bytes.len() != HEADER + rows * (4 + dims) || pieces.len() != rows {
            return Err(format!(
                "vectors.bin: {rows} rows of {dims} for {} pieces, {} bytes",
                pieces.len(),
                bytes.len()
            ));
        }
        Ok(Vectors { pieces, rows, dims, data: &bytes[HEADER..] })
    }

    pub(crate) fn dims(&self) -> usize {
        self.dims
    }

    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// Adds `weight` times piece `row`'s vector to `sum`.
    pub(crate) fn add_to(&self, row: u32, weight: f32, sum: &mut [f32]) {
        let at = row as usize * (4 + self.dims);
        let scale =
            f32::from_le_bytes([self.data[at], self.data[at + 1], self.data[at + 2], self.data[at + 3]]);
        let values = &self.data[at + 4..at + 4 + self.dims];
        let w = weight * scale;
        for (s, &v) in sum.iter_mut().zip(values) {
            *s += w * f32::from(v as i8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_parses_and_matches_its_vocabulary() {
        let v = Vectors::shipped();
        assert_eq!(v.rows(), 30_522);
        assert_eq!(v.dims(), 256);
        assert!(Vectors::parse(VOCAB, &VECTORS[..100]).is_err());
    }
}
