//! Sentence vectors already computed, kept on disk between runs: a restart,
//! a reload or `faqbot ask` encodes only the key texts that changed.
//!
//! One file per model (named by the model's fingerprint), holding records of
//! (text hash, meaning vector), then records of (text hash, stance vector)
//! for the texts whose stance was read ([`Pooled`]: the safety classifier's
//! training texts, a few thousand at most, not a 46,000-question bank's every
//! key text). A file that is broken, truncated or from another
//! model is ignored and rebuilt, never trusted. Writes go to a temporary file
//! renamed over the old one, so two processes sharing a folder never read a
//! half-written file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{Encoder, EncoderError, Pooled, DIMS};

/// The default folder, relative to the working directory (git-ignored).
pub const DEFAULT_DIR: &str = "data/vectors";
/// The file's first bytes; version 2 added the stance records (a version 1
/// file is foreign, so it is rebuilt once).
const MAGIC: &[u8; 8] = b"FQVCACH2";
/// magic, fingerprint (64 hex bytes), meaning record count, stance record count.
const HEADER: usize = 8 + 64 + 8 + 8;
/// A record: the text's hash and one vector.
const RECORD: usize = 8 + DIMS * 4;

/// Vectors by the hash of their text, for one model.
#[derive(Debug, Default)]
pub struct VectorCache {
    path: Option<PathBuf>,
    fingerprint: String,
    /// Meaning vectors.
    vectors: HashMap<u64, Vec<f32>>,
    /// Stance vectors of the texts encoded in this run and of those read from the file.
    stances: HashMap<u64, Vec<f32>>,
    /// The texts whose stance is kept on disk: read from the file, or asked
    /// for with [`VectorCache::fill_stances`].
    stance_kept: std::collections::HashSet<u64>,
    changed: bool,
}

/// The key of a text in the cache.
pub fn text_key(text: &str) -> u64 {
    let digest = Sha256::digest(text.as_bytes());
    u64::from_le_bytes(digest[..8].try_into().unwrap_or_default())
}

impl VectorCache {
    /// A cache that keeps nothing on disk.
    pub fn in_memory() -> VectorCache {
        VectorCache::default()
    }

    /// The cache for the model with `fingerprint` in folder `dir`: what the
    /// file holds if it is whole and of this model, else empty.
    pub fn open(dir: &Path, fingerprint: &str) -> VectorCache {
        let path = dir.join(format!("{}.vectors", &fingerprint[..fingerprint.len().min(16)]));
        let (vectors, stances) =
            std::fs::read(&path).ok().and_then(|bytes| parse(&bytes, fingerprint)).unwrap_or_default();
        let stance_kept = stances.keys().copied().collect();
        VectorCache {
            path: Some(path),
            fingerprint: fingerprint.to_string(),
            vectors,
            stances,
            stance_kept,
            changed: false,
        }
    }

    /// How many vectors it holds.
    pub fn len(&self) -> usize {
        self.vectors.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.vectors.is_empty()
    }

    /// The meaning vector of `text`, if computed before.
    pub fn get(&self, text: &str) -> Option<&[f32]> {
        self.vectors.get(&text_key(text)).map(Vec::as_slice)
    }

    /// The stance vector of `text`, if computed in this run or kept on disk
    /// ([`VectorCache::fill_stances`] makes sure of it).
    pub fn stance(&self, text: &str) -> Option<&[f32]> {
        self.stances.get(&text_key(text)).map(Vec::as_slice)
    }

    /// Remembers the vectors of `text` (its stance vector is kept on disk
    /// only once asked for, [`VectorCache::fill_stances`]).
    pub fn insert(&mut self, text: &str, vectors: Pooled) {
        if vectors.meaning.len() == DIMS && vectors.stance.len() == DIMS {
            let key = text_key(text);
            self.vectors.insert(key, vectors.meaning);
            self.stances.insert(key, vectors.stance);
            self.changed = true;
        }
    }

    /// Encodes the texts of `texts` it lacks (each once) and keeps their
    /// vectors; `progress(done, total)` is told how the encoding goes.
    pub fn fill(
        &mut self,
        encoder: &Encoder,
        texts: &[&str],
        progress: impl FnMut(usize, usize),
    ) -> Result<(), EncoderError> {
        self.encode_lacking(encoder, texts, |cache, t| cache.get(t).is_none(), progress)
    }

    /// Makes sure every text of `texts` has both vectors (encoding those
    /// without a stance vector again), and keeps their stance vectors on disk.
    pub fn fill_stances(&mut self, encoder: &Encoder, texts: &[&str]) -> Result<(), EncoderError> {
        self.encode_lacking(encoder, texts, |cache, t| cache.stance(t).is_none(), |_, _| {})?;
        for text in texts {
            let key = text_key(text);
            if self.stances.contains_key(&key) && self.stance_kept.insert(key) {
                self.changed = true;
            }
        }
        Ok(())
    }

    /// Encodes the texts of `texts` that `lacks` (each once) and keeps both
    /// their vectors; `progress(done, total)` is told how the encoding goes.
    fn encode_lacking(
        &mut self,
        encoder: &Encoder,
        texts: &[&str],
        lacks: impl Fn(&VectorCache, &str) -> bool,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<(), EncoderError> {
        let mut seen = std::collections::HashSet::new();
        let missing: Vec<&str> =
            texts.iter().copied().filter(|t| lacks(self, t) && seen.insert(*t)).collect();
        let total = missing.len();
        let computed = encoder.encode_all_pooled(&missing, |done| progress(done, total))?;
        for (text, vectors) in missing.iter().zip(computed) {
            self.insert(text, vectors);
        }
        Ok(())
    }

    /// Writes the file if anything was added; an error (read-only disk, no
    /// folder) is returned for logging: the vectors in memory stay usable.
    pub fn save(&mut self) -> std::io::Result<()> {
        let Some(path) = &self.path else { return Ok(()) };
        if !self.changed {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let kept: Vec<(&u64, &Vec<f32>)> =
            self.stance_kept.iter().filter_map(|k| Some((k, self.stances.get(k)?))).collect();
        let mut bytes = Vec::with_capacity(HEADER + (self.vectors.len() + kept.len()) * RECORD);
        bytes.extend_from_slice(MAGIC);
        bytes
            .extend_from_slice(format!("{:0<64}", self.fingerprint).as_bytes().get(..64).unwrap_or_default());
        bytes.extend_from_slice(&(self.vectors.len() as u64).to_le_bytes());
        bytes.extend_from_slice(&(kept.len() as u64).to_le_bytes());
        write_records(&mut bytes, self.vectors.iter().collect());
        write_records(&mut bytes, kept);
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, path)?;
        self.changed = false;
        Ok(())
    }
}

/// Vectors by text hash.
type Records = HashMap<u64, Vec<f32>>;

/// Appends `records` to `bytes`, in the order of their keys (so one cache
/// always gives the same file).
fn write_records(bytes: &mut Vec<u8>, mut records: Vec<(&u64, &Vec<f32>)>) {
    records.sort_unstable_by_key(|&(key, _)| *key);
    for (key, vector) in records {
        bytes.extend_from_slice(&key.to_le_bytes());
        for x in vector {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
}

/// The meaning and stance records of a whole file of this model; `None`
/// for anything else.
fn parse(bytes: &[u8], fingerprint: &str) -> Option<(Records, Records)> {
    if bytes.len() < HEADER || &bytes[..8] != MAGIC {
        return None;
    }
    let stored = std::str::from_utf8(&bytes[8..72]).ok()?;
    if stored.trim_end_matches('0') != fingerprint.trim_end_matches('0') || fingerprint.len() > 64 {
        return None;
    }
    let count = u64::from_le_bytes(bytes[72..80].try_into().ok()?) as usize;
    let stances = u64::from_le_bytes(bytes[80..88].try_into().ok()?) as usize;
    if bytes.len() != HEADER.checked_add(count.checked_add(stances)?.checked_mul(RECORD)?)? {
        return None;
    }
    let (meaning, stance) = bytes[HEADER..].split_at(count * RECORD);
    Some((records(meaning)?, records(stance)?))
}

/// The records of `bytes` (whole records); `None` if a vector is not finite.
fn records(bytes: &[u8]) -> Option<Records> {
    let mut out = HashMap::with_capacity(bytes.len() / RECORD);
    for record in bytes.chunks_exact(RECORD) {
        let key = u64::from_le_bytes(record[..8].try_into().ok()?);
        let vector: Vec<f32> =
            record[8..].chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        if vector.iter().any(|x| !x.is_finite()) {
            return None;
        }
        out.insert(key, vector);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(x: f32) -> Pooled {
        let mut v = vec![0.0; DIMS];
        v[0] = x;
        let mut stance = vec![0.0; DIMS];
        stance[1] = x;
        Pooled { meaning: v, stance }
    }

    #[test]
    fn vectors_survive_a_restart_and_another_model_starts_empty() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = VectorCache::open(dir.path(), "abc123");
        cache.insert("how big are exosomes", unit(1.0));
        cache.save().unwrap();
        let again = VectorCache::open(dir.path(), "abc123");
        assert_eq!(again.get("how big are exosomes"), Some(unit(1.0).meaning.as_slice()));
        assert!(again.stance("how big are exosomes").is_none(), "a stance no one asked for is not kept");
        assert!(again.get("something else").is_none());
        assert!(VectorCache::open(dir.path(), "abc124").is_empty(), "another model's vectors are not used");
    }

    /// Stance vectors asked for are kept on disk with the meaning vectors;
    /// those of other texts are not (a 46,000-question bank's file would
    /// double for vectors only the classifier's few thousand texts need).
    #[test]
    fn stance_vectors_asked_for_survive_a_restart() {
        let encoder = super::super::tests::shipped();
        let dir = tempfile::tempdir().unwrap();
        let mut cache = VectorCache::open(dir.path(), encoder.fingerprint());
        cache.fill(encoder, &["what are exosomes?", "how big are exosomes"], |_, _| {}).unwrap();
        cache.fill_stances(encoder, &["what are exosomes?", "my knee is hot and swollen"]).unwrap();
        cache.save().unwrap();
        let again = VectorCache::open(dir.path(), encoder.fingerprint());
        let want =
            encoder.encode_all_pooled(&["what are exosomes?", "my knee is hot and swollen"], |_| {}).unwrap();
        assert_eq!(again.stance("what are exosomes?"), Some(want[0].stance.as_slice()));
        assert_eq!(again.stance("my knee is hot and swollen"), Some(want[1].stance.as_slice()));
        assert_eq!(again.get("my knee is hot and swollen"), Some(want[1].meaning.as_slice()));
        assert!(again.get("how big are exosomes").is_some());
        assert!(again.stance("how big are exosomes").is_none(), "not asked for, not kept");
        assert_eq!(again.len(), 3);
    }

    #[test]
    fn a_broken_or_foreign_file_is_ignored_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let mut cache = VectorCache::open(dir.path(), "abc123");
        cache.insert("a", unit(1.0));
        cache.insert("b", unit(-1.0));
        cache.save().unwrap();
        let file = std::fs::read_dir(dir.path()).unwrap().next().unwrap().unwrap().path();
        let whole = std::fs::read(&file).unwrap();
        let mut first_version = whole.clone();
        first_version[..8].copy_from_slice(b"FQVCACH1");
        for broken in [&whole[..whole.len() - 3], b"garbage".as_slice(), &[], &first_version] {
            std::fs::write(&file, broken).unwrap();
            assert!(VectorCache::open(dir.path(), "abc123").is_empty());
        }
        let mut nan = whole.clone();
        nan[HEADER + 8..HEADER + 12].copy_from_slice(&f32::NAN.to_le_bytes());
        std::fs::write(&file, nan).unwrap();
        let mut rebuilt = VectorCache::open(dir.path(), "abc123");
        assert!(rebuilt.is_empty(), "a NaN is not trusted");
        rebuilt.insert("a", unit(1.0));
        rebuilt.save().unwrap();
        assert_eq!(VectorCache::open(dir.path(), "abc123").len(), 1);
    }
}
