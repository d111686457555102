//! The sentence encoder: all-MiniLM-L6-v2 (a 6-layer, 384-wide BERT) run
//! in-process on the CPU with candle. A text becomes one unit vector (the
//! mean of its token vectors), and the cosine of two vectors says how close
//! two texts are in meaning ("took my last dose of azithromycin" is near
//! "after an antibiotic" though they share no word).
//!
//! The weights are read from the models folder (`models/all-minilm-l6-v2/`,
//! see its README); nothing is fetched. Pure computation once loaded: no
//! threads of its own, no I/O after [`Encoder::load`].

pub mod cache;
mod dense;
mod tokenizer;
mod weights;

use std::path::Path;

use candle_core::{DType, Device, Module, Tensor, D};
use candle_nn::{linear, Embedding, LayerNorm, VarBuilder};
use sha2::{Digest, Sha256};

use dense::{gelu, Dense};
use tokenizer::Tokenizer;

/// The width of a sentence vector.
pub const DIMS: usize = 384;
/// Texts are cut to this many tokens (with `[CLS]` and `[SEP]`), as
/// sentence-transformers does for this model (`max_seq_length`).
pub const MAX_TOKENS: usize = 256;
/// At most this many texts go through the model together (padded to the
/// longest of them; texts are sorted by length first, so little is padding).
pub const BATCH: usize = 32;
/// A batch stops growing when padding would make it cost more than this
/// many times its real tokens. The model's cost is close to linear in the
/// padded tokens, and texts differ most in length: a long one (256 tokens)
/// would take short ones padded to 256 along, at several times their cost.
/// Chosen when a message's pieces were batched too (`faqbot eval
/// tests/eval/cases.toml`, README); they are now read side by side
/// ([`Encoder::encode_side_by_side`]), with no padding at all, and batches
/// are for indexing key texts.
pub const MAX_PADDING: f32 = 1.5;
/// Texts read side by side ([`Encoder::side_by_side`]) share a row of at
/// most this many tokens: every token of a row is scored against every
/// other (most against a mask), so a row's attention grows with its square.
/// A message and its parts alone are nearly always under it (the whole
/// message is cut at [`MAX_TOKENS`]); a very long one starts further rows
/// rather than one of thousands of tokens.
pub const MAX_ROW_TOKENS: usize = 2 * MAX_TOKENS;
/// The model's weights file and vocabulary in its folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// See [`WEIGHTS_FILE`].
pub const VOCAB_FILE: &str = "vocab.txt";

/// The layers whose token states make a text's stance vector ([`Pooled::stance`]):
/// the outputs of the second to fifth of the six (1-based), summed, then
/// pooled like the meaning. The last layer was trained for similarity of
/// topic: "do exosomes cause cancer?" and "my scar is hot and leaking pus"
/// differ there less than what the writer is doing with the words (asking in
/// general, telling what is happening to someone). The middle layers keep
/// more of that. Measured with a classifier like the safety one
/// (`scripts/stance_layers.py`: trained on `safety.toml` and the FAQ's key
/// texts, judged on the tune halves and dev sets 1-9, never a test half):
/// share of each category's messages above the score of all but 2 % of the
/// ordinary messages, emergency / self-harm / personal advice, 0.854 / 0.511
/// / 0.927 with the last layer, 0.981 / 0.841 / 0.950 with layers 2-5;
/// self-harm against the out-of-domain tune half's health questions, ROC
/// area 0.795 to 0.947. Layers 1-5, 2-4 and each layer normalised before the
/// sum measured within 0.01 of it; with the last layer in the sum too,
/// self-harm's share fell to 0.752.
pub const STANCE_LAYERS: std::ops::RangeInclusive<usize> = 2..=5;

const LAYERS: usize = 6;
const HEADS: usize = 12;
const HEAD_DIMS: usize = DIMS / HEADS;
const INTERMEDIATE: usize = 1536;
const VOCAB_SIZE: usize = 30522;
const MAX_POSITIONS: usize = 512;
const LAYER_NORM_EPS: f64 = 1e-12;
/// Added to attention scores at padding positions: far below any real score.
const MASKED: f64 = -1e9;

/// Why the encoder could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EncoderError {
    /// A file of the model folder could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The vocabulary lacks a piece BERT needs.
    #[error("{0}")]
    Vocab(String),
    /// The weights are not the model's, or a computation failed.
    #[error("the sentence model failed: {0}")]
    Model(#[from] candle_core::Error),
}

/// The loaded model.
pub struct Encoder {
    tokenizer: Tokenizer,
    word: Embedding,
    position: Embedding,
    token_type: Tensor,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    device: Device,
    fingerprint: String,
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Encoder").field("fingerprint", &self.fingerprint).finish_non_exhaustive()
    }
}

struct Layer {
    /// Query, key and value in one product (their weights side by side).
    query_key_value: Dense,
    attention_out: Dense,
    attention_norm: LayerNorm,
    intermediate: Dense,
    output: Dense,
    output_norm: LayerNorm,
}

impl Encoder {
    /// Reads `model.safetensors` (one tensor at a time, see [`weights`])
    /// and `vocab.txt` from `dir`.
    pub fn load(dir: &Path) -> Result<Encoder, EncoderError> {
        let path = dir.join(WEIGHTS_FILE);
        let read_error = |path: &Path| {
            let path = path.display().to_string();
            move |source| EncoderError::Read { path, source }
        };
        let (weights, fingerprint) = weights::StreamedWeights::open(&path).map_err(read_error(&path))?;
        let vocab_path = dir.join(VOCAB_FILE);
        let vocab = std::fs::read(&vocab_path).map_err(read_error(&vocab_path))?;
        let tokenizer = Tokenizer::new(&String::from_utf8_lossy(&vocab)).map_err(EncoderError::Vocab)?;
        let dtype = weights.read_dtype();
        let vb = VarBuilder::from_backend(Box::new(weights), dtype, Device::Cpu);
        Encoder::build(vb, tokenizer, fingerprint)
    }

    /// The model from its weights (safetensors, float16 or float32) and vocabulary.
    pub fn from_bytes(weights: Vec<u8>, vocab: &str) -> Result<Encoder, EncoderError> {
        let fingerprint = format!("{:x}", Sha256::digest(&weights));
        let tokenizer = Tokenizer::new(vocab).map_err(EncoderError::Vocab)?;
        let tensors = candle_core::safetensors::load_buffer(&weights, &Device::Cpu)?;
        let dtype = weights::read_dtype(tensors.values().map(Tensor::dtype));
        let vb = VarBuilder::from_tensors(tensors, dtype, &Device::Cpu);
        Encoder::build(vb, tokenizer, fingerprint)
    }

    /// The model from `vb`, which reads tensors in the file's dtype (float16
    /// or float32); each becomes float32 here, a dense layer's weight after
    /// it is transposed ([`Dense::side_by_side`]).
    fn build(vb: VarBuilder<'_>, tokenizer: Tokenizer, fingerprint: String) -> Result<Encoder, EncoderError> {
        let device = Device::Cpu;
        let f32 = |t: Tensor| t.to_dtype(DType::F32);
        let table = |rows, vb: VarBuilder<'_>| -> candle_core::Result<Embedding> {
            Ok(Embedding::new(f32(vb.get((rows, DIMS), "weight")?)?, DIMS))
        };
        let norm = |vb: VarBuilder<'_>| -> candle_core::Result<LayerNorm> {
            Ok(LayerNorm::new(f32(vb.get(DIMS, "weight")?)?, f32(vb.get(DIMS, "bias")?)?, LAYER_NORM_EPS))
        };
        let e = vb.pp("embeddings");
        let token_type = table(2, e.pp("token_type_embeddings"))?.embeddings().get(0)?;
        let mut layers = Vec::with_capacity(LAYERS);
        for i in 0..LAYERS {
            let l = vb.pp(format!("encoder.layer.{i}"));
            let a = l.pp("attention");
            let dense = |inputs, outputs, vb| Dense::side_by_side(&[linear(inputs, outputs, vb)?]);
            layers.push(Layer {
                query_key_value: Dense::side_by_side(&[
                    linear(DIMS, DIMS, a.pp("self.query"))?,
                    linear(DIMS, DIMS, a.pp("self.key"))?,
                    linear(DIMS, DIMS, a.pp("self.value"))?,
                ])?,
                attention_out: dense(DIMS, DIMS, a.pp("output.dense"))?,
                attention_norm: norm(a.pp("output.LayerNorm"))?,
                intermediate: dense(DIMS, INTERMEDIATE, l.pp("intermediate.dense"))?,
                output: dense(INTERMEDIATE, DIMS, l.pp("output.dense"))?,
                output_norm: norm(l.pp("output.LayerNorm"))?,
            });
        }
        Ok(Encoder {
            tokenizer,
            word: table(VOCAB_SIZE, e.pp("word_embeddings"))?,
            position: table(MAX_POSITIONS, e.pp("position_embeddings"))?,
            token_type,
            embed_norm: norm(e.pp("LayerNorm"))?,
            layers,
            device,
            fingerprint,
        })
    }

    /// SHA-256 of the weights, hex: what a cache of vectors is keyed by.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The token ids of `text`, as the model reads it.
    pub fn token_ids(&self, text: &str) -> Vec<u32> {
        self.tokenizer.encode(text, MAX_TOKENS)
    }

    /// One unit vector of [`DIMS`] numbers for `text`.
    pub fn encode(&self, text: &str) -> Result<Vec<f32>, EncoderError> {
        Ok(self.encode_batch(&[text])?.pop().unwrap_or_default())
    }

    /// Unit vectors for `texts`, in their order; `progress` is told how many
    /// are done after each batch.
    pub fn encode_all(
        &self,
        texts: &[&str],
        progress: impl FnMut(usize),
    ) -> Result<Vec<Vec<f32>>, EncoderError> {
        Ok(self.encode_all_pooled(texts, progress)?.into_iter().map(|p| p.meaning).collect())
    }

    /// [`Encoder::encode_all`] with each text's stance vector too (the same pass).
    pub fn encode_all_pooled(
        &self,
        texts: &[&str],
        mut progress: impl FnMut(usize),
    ) -> Result<Vec<Pooled>, EncoderError> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| ids[i].len());
        let mut out = vec![Pooled::default(); texts.len()];
        let mut done = 0;
        for chunk in batches(&order, |i| ids[i].len()) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| ids[i].as_slice()).collect();
            for (&i, v) in chunk.iter().zip(self.forward(&batch)?) {
                out[i] = v;
            }
            done += chunk.len();
            progress(done);
        }
        Ok(out)
    }

    /// [`Encoder::encode_all`] without progress.
    pub fn encode_batch(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EncoderError> {
        self.encode_all(texts, |_| {})
    }

    /// The vector of `text` and of each of `parts` (pieces of it: its
    /// sentences, a clause) read in its context, and of each of `alone` read
    /// on its own, from one pass through the model (see [`Encoder::side_by_side`]).
    /// A part's vector in context is the mean of the text's token states over
    /// the part's tokens, so the part is read in the context of the whole
    /// ("can it help?" after "I have knee arthritis" knows what "it" is);
    /// `None` for a part whose tokens are not among the text's (cut off at
    /// [`MAX_TOKENS`]).
    pub fn encode_in_context(
        &self,
        text: &str,
        parts: &[&str],
        alone: &[&str],
    ) -> Result<Reading, EncoderError> {
        let ids = self.token_ids(text);
        let others: Vec<Vec<u32>> = alone.iter().map(|t| self.token_ids(t)).collect();
        let mut texts = vec![ids.as_slice()];
        texts.extend(others.iter().map(Vec::as_slice));
        let mut read = self.side_by_side(&texts)?.into_iter();
        let states = read.next().unwrap_or_default();
        let alone = read.map(|s| pool(&s)).collect();
        // Without [CLS] and [SEP]: a part is a run of the text's own pieces.
        let inner = &ids[1..ids.len() - 1];
        let in_context = parts
            .iter()
            .map(|part| {
                let piece = self.token_ids(part);
                let piece = &piece[1..piece.len() - 1];
                let at = (!piece.is_empty() && piece.len() <= inner.len())
                    .then(|| inner.windows(piece.len()).position(|w| w == piece))??;
                Some(pool(&states[1 + at..1 + at + piece.len()]).meaning)
            })
            .collect();
        Ok(Reading { whole: pool(&states), in_context, alone })
    }

    /// Unit vectors (both kinds) for `texts`, each read on its own, from one
    /// pass through the model ([`Encoder::side_by_side`]): for the few short
    /// texts of one message, cheaper than a padded batch.
    pub fn encode_side_by_side(&self, texts: &[&str]) -> Result<Vec<Pooled>, EncoderError> {
        let ids: Vec<Vec<u32>> = texts.iter().map(|t| self.token_ids(t)).collect();
        let refs: Vec<&[u32]> = ids.iter().map(Vec::as_slice).collect();
        Ok(self.side_by_side(&refs)?.iter().map(|s| pool(s)).collect())
    }

    /// The token states of each of `texts`, read in one pass of the model
    /// with the texts one after the other in a row: each attends only to its
    /// own tokens and counts its positions from 0, so each gets the states it
    /// would get alone (to float rounding). The dense layers, most of the
    /// cost, then multiply the model's weights once for all of them, with
    /// more rows at a time, which is faster per row (see [`Dense`]). A row
    /// holds at most [`MAX_ROW_TOKENS`]; more texts start further rows, padded
    /// to the longest.
    fn side_by_side(&self, texts: &[&[u32]]) -> Result<Vec<Vec<Vec<f32>>>, EncoderError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // Each row: the indices of its texts, in order.
        let mut rows: Vec<Vec<usize>> = Vec::new();
        let mut filled = 0;
        for (i, t) in texts.iter().enumerate() {
            match rows.last_mut() {
                Some(row) if filled + t.len() <= MAX_ROW_TOKENS => row.push(i),
                _ => {
                    rows.push(vec![i]);
                    filled = 0;
                }
            }
            filled += t.len();
        }
        let width = |row: &Vec<usize>| row.iter().map(|&i| texts[i].len()).sum::<usize>();
        let (b, n) = (rows.len(), rows.iter().map(width).max().unwrap_or(0));
        let (mut ids, mut positions) = (vec![0u32; b * n], vec![0u32; b * n]);
        // Which text each place holds; padding is a text of its own.
        let mut segment = vec![usize::MAX; b * n];
        for (r, row) in rows.iter().enumerate() {
            let mut at = r * n;
            for &i in row {
                let t = texts[i];
                ids[at..at + t.len()].copy_from_slice(t);
                positions[at..at + t.len()].iter_mut().zip(0u32..).for_each(|(p, k)| *p = k);
                segment[at..at + t.len()].fill(i);
                at += t.len();
            }
        }
        // (b, 1, n, n): 0 where a token may attend (its own text), MASKED elsewhere.
        let mut bias = vec![0f32; b * n * n];
        for (r, chunk) in bias.chunks_exact_mut(n * n).enumerate() {
            let seg = &segment[r * n..(r + 1) * n];
            for (at, x) in chunk.iter_mut().enumerate() {
                if seg[at / n] != seg[at % n] {
                    *x = MASKED as f32;
                }
            }
        }
        let dev = &self.device;
        let ids = Tensor::from_vec(ids, (b, n), dev)?;
        let positions = Tensor::from_vec(positions, (b, n), dev)?;
        let bias = Tensor::from_vec(bias, (b, 1, n, n), dev)?;
        let states: Vec<Vec<Vec<f32>>> = self.layers(&ids, &positions, &bias)?.to_vec3()?;
        let mut out = Vec::with_capacity(texts.len());
        for (row, states) in rows.iter().zip(states) {
            let mut states = states.into_iter();
            for &i in row {
                out.push(states.by_ref().take(texts[i].len()).collect());
            }
        }
        Ok(out)
    }

    /// BERT, mean pooling over real tokens, unit length (both vectors).
    fn forward(&self, batch: &[&[u32]]) -> Result<Vec<Pooled>, EncoderError> {
        let (h, mask) = self.states(batch)?;
        let summed = h.broadcast_mul(&mask.unsqueeze(D::Minus1)?)?.sum(1)?;
        Ok(summed.to_vec2::<f32>()?.iter().map(|row| Pooled::of_sum(row)).collect())
    }

    /// BERT's token states (b, n, 2 * DIMS: the last layer's, then the sum of
    /// [`STANCE_LAYERS`]') for a batch padded to its longest text, and the
    /// mask of real tokens (b, n).
    fn states(&self, batch: &[&[u32]]) -> Result<(Tensor, Tensor), EncoderError> {
        let (b, n) = (batch.len(), batch.iter().map(|x| x.len()).max().unwrap_or(0));
        let mut ids = vec![0u32; b * n];
        let mut mask = vec![0f32; b * n];
        for (row, x) in batch.iter().enumerate() {
            ids[row * n..row * n + x.len()].copy_from_slice(x);
            mask[row * n..row * n + x.len()].fill(1.0);
        }
        let dev = &self.device;
        let ids = Tensor::from_vec(ids, (b, n), dev)?;
        let mask = Tensor::from_vec(mask, (b, n), dev)?;
        let positions = Tensor::arange(0u32, n as u32, dev)?.unsqueeze(0)?;
        // (b, 1, 1, n): 0 for real tokens, MASKED for padding.
        let bias = ((mask.ones_like()? - &mask)? * MASKED)?.reshape((b, 1, 1, n))?;
        Ok((self.layers(&ids, &positions, &bias)?, mask))
    }

    /// BERT's token states (b, n, 2 * DIMS: the last layer's, then the sum
    /// of [`STANCE_LAYERS`]') for token `ids` (b, n) at
    /// `positions` ((b, n), or (1, n) for every row), `bias` added to the
    /// attention scores (broadcast to (b, HEADS, n, n)).
    ///
    /// The pass runs on one of rayon's threads (`rayon::scope` hands it over
    /// and waits): candle runs each operation on rayon's pool, and from a
    /// thread outside the pool every one of the pass's ~100 operations would
    /// be handed over and waited for on its own (about a tenth of a short
    /// message's time, in futex wake-ups).
    fn layers(&self, ids: &Tensor, positions: &Tensor, bias: &Tensor) -> candle_core::Result<Tensor> {
        rayon::scope(|_| self.layers_here(ids, positions, bias))
    }

    fn layers_here(&self, ids: &Tensor, positions: &Tensor, bias: &Tensor) -> candle_core::Result<Tensor> {
        let (b, n) = ids.dims2()?;
        let mut h = self
            .word
            .forward(ids)?
            .broadcast_add(&self.position.forward(positions)?)?
            .broadcast_add(&self.token_type)?;
        h = self.embed_norm.forward(&h)?;
        let scale = 1.0 / (HEAD_DIMS as f64).sqrt();
        let mut stance: Option<Tensor> = None;
        for (number, layer) in (1..).zip(&self.layers) {
            // (3, b, HEADS, n, HEAD_DIMS): query, key, value, split into heads.
            let qkv = layer
                .query_key_value
                .forward(&h)?
                .reshape((b, n, 3, HEADS, HEAD_DIMS))?
                .permute((2, 0, 3, 1, 4))?
                .contiguous()?;
            let (q, k, v) = (qkv.get(0)?, qkv.get(1)?, qkv.get(2)?);
            let scores = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(bias)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probs.matmul(&v)?.transpose(1, 2)?.reshape((b, n, DIMS))?;
            let attended = layer.attention_norm.forward(&(layer.attention_out.forward(&context)? + &h)?)?;
            let inner = gelu(&layer.intermediate.forward(&attended)?)?;
            h = layer.output_norm.forward(&(layer.output.forward(&inner)? + &attended)?)?;
            if STANCE_LAYERS.contains(&number) {
                stance = Some(match stance {
                    Some(sum) => (sum + &h)?,
                    None => h.clone(),
                });
            }
        }
        let stance = match stance {
            Some(sum) => sum,
            None => h.zeros_like()?,
        };
        Tensor::cat(&[&h, &stance], D::Minus1)
    }
}

/// A message read by [`Encoder::encode_in_context`].
#[derive(Debug, Clone, Default)]
pub struct Reading {
    /// The whole text's vectors.
    pub whole: Pooled,
    /// Each part's meaning vector read in the context of the whole.
    pub in_context: Vec<Option<Vec<f32>>>,
    /// Each text read alone.
    pub alone: Vec<Pooled>,
}

/// A text's two unit vectors from one pass of the model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pooled {
    /// The last layer's mean (what sentence-transformers gives): what the
    /// text is about; ranking and the safety examples read it.
    pub meaning: Vec<f32>,
    /// The mean of [`STANCE_LAYERS`]' states: more of what the writer does
    /// with the words (asks in general, tells what is happening); the safety
    /// classifier reads it.
    pub stance: Vec<f32>,
}

impl Pooled {
    /// Both vectors from `sum`, a sum of token states (2 * DIMS: the last
    /// layer's, then the stance layers'), each half scaled to unit length.
    fn of_sum(sum: &[f32]) -> Pooled {
        let unit = |half: &[f32]| {
            let norm = half.iter().map(|x| x * x).sum::<f32>().sqrt().max(f32::MIN_POSITIVE);
            half.iter().map(|x| x / norm).collect::<Vec<f32>>()
        };
        let (meaning, stance) = sum.split_at(DIMS.min(sum.len()));
        Pooled { meaning: unit(meaning), stance: unit(stance) }
    }
}

/// The mean of `rows` (token states, 2 * DIMS wide), as [`Pooled`] vectors.
fn pool(rows: &[Vec<f32>]) -> Pooled {
    let mut sum = vec![0f32; 2 * DIMS];
    for row in rows {
        for (s, x) in sum.iter_mut().zip(row) {
            *s += x;
        }
    }
    Pooled::of_sum(&sum)
}

/// Where the model and the cache of vectors are, and the model once loaded:
/// one per process, shared by every FAQ load.
#[derive(Debug)]
pub struct Model {
    /// The loaded encoder; `None` when it could not be loaded (see `problem`).
    pub encoder: Option<std::sync::Arc<Encoder>>,
    /// Why the encoder could not be loaded, for a warning at start-up.
    pub problem: Option<String>,
    /// Where computed vectors are kept (`None`: in memory only).
    pub cache_dir: Option<std::path::PathBuf>,
}

/// The environment variable naming the model folder.
pub const MODEL_DIR_VAR: &str = "FAQBOT_MODEL_DIR";
/// The environment variable naming the vector cache folder (`off`: keep none).
pub const CACHE_DIR_VAR: &str = "FAQBOT_VECTOR_CACHE";
/// The model folder relative to the working directory (the repository root).
pub const DEFAULT_MODEL_DIR: &str = "models/all-minilm-l6-v2";

impl Model {
    /// The model folder: [`MODEL_DIR_VAR`] if set, else [`DEFAULT_MODEL_DIR`]
    /// under the working directory, else the one in this source tree.
    pub fn dir() -> std::path::PathBuf {
        if let Some(dir) = std::env::var_os(MODEL_DIR_VAR) {
            return dir.into();
        }
        let here = Path::new(DEFAULT_MODEL_DIR);
        if here.join(WEIGHTS_FILE).exists() {
            return here.to_path_buf();
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(DEFAULT_MODEL_DIR)
    }

    /// The cache folder: [`CACHE_DIR_VAR`] if set (`off` for none), else [`cache::DEFAULT_DIR`].
    pub fn cache_dir_from_env() -> Option<std::path::PathBuf> {
        match std::env::var_os(CACHE_DIR_VAR) {
            Some(v) if v == "off" => None,
            Some(v) => Some(v.into()),
            None => Some(cache::DEFAULT_DIR.into()),
        }
    }

    /// The process's model, loaded on first use from [`Model::dir`].
    pub fn shared() -> &'static Model {
        static SHARED: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| {
            let dir = Model::dir();
            let (encoder, problem) = match Encoder::load(&dir) {
                Ok(e) => (Some(std::sync::Arc::new(e)), None),
                Err(e) => (None, Some(format!("{e} (model folder {})", dir.display()))),
            };
            Model { encoder, problem, cache_dir: Model::cache_dir_from_env() }
        })
    }

    /// No model: words alone (for tests of the word stages).
    pub fn none() -> Model {
        Model { encoder: None, problem: None, cache_dir: None }
    }

    /// The cache for this model (empty and in memory when it has no folder or no encoder).
    pub fn cache(&self) -> cache::VectorCache {
        match (&self.cache_dir, &self.encoder) {
            (Some(dir), Some(encoder)) => cache::VectorCache::open(dir, encoder.fingerprint()),
            _ => cache::VectorCache::in_memory(),
        }
    }
}

/// The cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `order` (indices sorted by length, shortest first) cut into batches of at
/// most [`BATCH`], each cut where the next text would make padding cost
/// more than [`MAX_PADDING`] times the batch's real tokens.
fn batches(order: &[usize], len: impl Fn(usize) -> usize) -> Vec<&[usize]> {
    let mut out = Vec::new();
    let (mut start, mut real) = (0, 0usize);
    for (k, &i) in order.iter().enumerate() {
        let n = len(i);
        let count = k - start + 1;
        let padded = n * count;
        if count > 1 && (count > BATCH || padded as f32 > MAX_PADDING * (real + n) as f32) {
            out.push(&order[start..k]);
            (start, real) = (k, 0);
        }
        real += n;
    }
    if start < order.len() {
        out.push(&order[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    /// The shipped model, loaded once for all tests of this crate.
    pub(crate) fn shipped() -> &'static Encoder {
        static ENCODER: OnceLock<Encoder> = OnceLock::new();
        ENCODER.get_or_init(|| {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-minilm-l6-v2");
            Encoder::load(&dir).expect("the shipped model loads")
        })
    }

    #[test]
    fn batches_keep_a_long_text_apart_from_short_ones_and_stay_under_the_batch_size() {
        let lens = [5usize, 6, 7, 8, 256, 250];
        let order: Vec<usize> = (0..lens.len()).collect();
        let got: Vec<Vec<usize>> = batches(&order, |i| lens[i]).into_iter().map(<[usize]>::to_vec).collect();
        assert_eq!(got, [vec![0, 1, 2, 3], vec![4, 5]]);

        let same: Vec<usize> = (0..BATCH * 2 + 1).collect();
        let sizes: Vec<usize> = batches(&same, |_| 10).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, [BATCH, BATCH, 1]);
        assert!(batches(&[], |_| 1).is_empty());
    }

    #[test]
    fn a_message_with_its_sentences_encodes_as_each_piece_alone() {
        let e = shipped();
        let long = "My knee has been bad for years and I have tried physio, injections and rest. ".repeat(8);
        let pieces = [long.as_str(), "Is it safe?", "What are exosomes?"];
        let together = e.encode_batch(&pieces).unwrap();
        for (piece, got) in pieces.iter().zip(&together) {
            let alone = e.encode(piece).unwrap();
            let cos: f32 = alone.iter().zip(got).map(|(a, b)| a * b).sum();
            assert!(1.0 - cos < 1e-5, "{piece:?}: 1 - cos = {}", 1.0 - cos);
        }
    }

    #[test]
    fn texts_read_side_by_side_in_one_pass_are_each_read_as_alone() {
        let e = shipped();
        let long = "My knee has been bad for years and I have tried physio, injections and rest. ".repeat(3);
        let texts = ["Is it safe?", long.as_str(), "What are exosomes?", "hi"];
        let together = e.encode_side_by_side(&texts).unwrap();
        assert_eq!(together.len(), texts.len());
        let batch = e.encode_all_pooled(&texts, |_| {}).unwrap();
        for ((text, got), alone) in texts.iter().zip(&together).zip(&batch) {
            for (kind, a, b) in
                [("meaning", &alone.meaning, &got.meaning), ("stance", &alone.stance, &got.stance)]
            {
                assert!(1.0 - cosine(a, b) < 1e-5, "{text:?} {kind}: 1 - cos = {}", 1.0 - cosine(a, b));
            }
        }
        // Beside a message read whole, too.
        let message = "I feel hopeless. Are exosomes safe?";
        let reading = e.encode_in_context(message, &[], &texts).unwrap();
        let whole = e.encode_all_pooled(&[message], |_| {}).unwrap().remove(0);
        assert!(1.0 - cosine(&reading.whole.meaning, &whole.meaning) < 1e-5);
        assert!(1.0 - cosine(&reading.whole.stance, &whole.stance) < 1e-5);
        for (text, got) in texts.iter().zip(&reading.alone) {
            assert!(1.0 - cosine(&e.encode(text).unwrap(), &got.meaning) < 1e-5, "{text:?} beside a message");
        }
        assert!(e.encode_side_by_side(&[]).unwrap().is_empty());

        // More than one row's worth: further rows, padded, each text still as alone.
        let sentence =
            "Stem cells from bone marrow were injected into the knee joint of each patient in the trial. ";
        let many: Vec<String> = (1..=12).map(|k| sentence.repeat(k)).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let total: usize = many.iter().map(|t| e.token_ids(t).len()).sum();
        assert!(total > 2 * MAX_ROW_TOKENS, "the texts fill {total} tokens: three rows or more");
        for (text, got) in many.iter().zip(e.encode_side_by_side(&many).unwrap()) {
            let alone = e.encode(text).unwrap();
            assert!(
                1.0 - cosine(&alone, &got.meaning) < 1e-5,
                "{} tokens: 1 - cos = {}",
                text.len(),
                1.0 - cosine(&alone, &got.meaning)
            );
        }
    }

    #[test]
    fn parts_read_in_context_come_from_the_one_pass_over_the_whole() {
        let e = shipped();
        let text = "I have had knee arthritis for years. Can exosomes help with it?";
        let parts = ["I have had knee arthritis for years", "Can exosomes help with it", "not in the text"];
        let Reading { whole, in_context: spans, .. } = e.encode_in_context(text, &parts, &[]).unwrap();
        let cos = |a: &[f32], b: &[f32]| -> f32 { a.iter().zip(b).map(|(x, y)| x * y).sum() };
        let whole = whole.meaning;
        assert!(1.0 - cos(&whole, &e.encode(text).unwrap()) < 1e-5, "the whole is the whole, as read alone");
        assert!(spans[2].is_none(), "a part that is not in the text has no vector");
        let asked = spans[1].as_ref().expect("the question is a run of the text's pieces");
        assert!((cos(asked, asked) - 1.0).abs() < 1e-5, "unit length");
        // In context the question is about knees; read alone it is not.
        let knees = e.encode("can exosomes help knee arthritis").unwrap();
        let alone = e.encode(parts[1]).unwrap();
        assert!(
            cos(asked, &knees) > cos(&alone, &knees),
            "{} vs {}",
            cos(asked, &knees),
            cos(&alone, &knees)
        );
    }

    #[derive(serde::Deserialize)]
    struct Reference {
        cases: Vec<Case>,
    }

    #[derive(serde::Deserialize)]
    struct Case {
        text: String,
        ids: Vec<u32>,
        vector: Vec<f32>,
    }

    fn reference() -> Reference {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/encoder_reference.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn tokens_and_vectors_match_the_python_reference() {
        let encoder = shipped();
        for case in reference().cases {
            assert_eq!(encoder.token_ids(&case.text), case.ids, "tokens of {:?}", case.text);
            let v = encoder.encode(&case.text).unwrap();
            let reference_norm = cosine(&case.vector, &case.vector).sqrt();
            let distance = 1.0 - cosine(&v, &case.vector) / reference_norm;
            assert!(distance <= 1e-5, "{:?}: 1 - cos = {distance:e}", case.text);
        }
    }

    #[test]
    fn a_batch_gives_the_vectors_one_at_a_time_gives() {
        let encoder = shipped();
        let texts = ["how big are exosomes", "a much longer sentence about stem cells and their sizes", "hi"];
        let batch = encoder.encode_batch(&texts).unwrap();
        for (text, v) in texts.iter().zip(&batch) {
            let alone = encoder.encode(text).unwrap();
            assert!(1.0 - cosine(v, &alone) < 1e-5, "{text}: padding changed the vector");
        }
    }

    /// The stance vector is another reading of the same pass: unit length,
    /// not the meaning vector, and two general questions are nearer in it
    /// than a general question and a sign told about oneself.
    #[test]
    fn the_stance_vector_is_a_unit_vector_of_its_own() {
        let encoder = shipped();
        let texts = [
            "Can exosome injections cause an infection?",
            "the injection spot on my knee is hot, swollen and leaking since yesterday",
            "What are the side effects of exosome injections?",
        ];
        let pooled = encoder.encode_all_pooled(&texts, |_| {}).unwrap();
        for p in &pooled {
            assert!((cosine(&p.stance, &p.stance) - 1.0).abs() < 1e-4);
            assert!(cosine(&p.stance, &p.meaning) < 0.9, "another vector than the meaning");
        }
        let (general, told, other) = (&pooled[0], &pooled[1], &pooled[2]);
        let stance_gap = cosine(&general.stance, &other.stance) - cosine(&general.stance, &told.stance);
        assert!(stance_gap > 0.0, "two general questions are nearer in stance: {stance_gap}");
    }

    #[test]
    fn a_paraphrase_in_other_words_is_closer_than_an_unrelated_question() {
        let encoder = shipped();
        let v = |t: &str| encoder.encode(t).unwrap();
        let entry = v("After how many hours from drinking an antibiotic can I drink alcohol?");
        let paraphrase = v("I took my last dose of azithromycin this morning, can I have a few beers?");
        let unrelated = v("How big are exosomes?");
        assert!(cosine(&entry, &paraphrase) > cosine(&entry, &unrelated) + 0.2);
    }

    #[test]
    fn a_long_text_is_cut_and_odd_text_is_calm() {
        let encoder = shipped();
        assert_eq!(encoder.token_ids(&"word ".repeat(1000)).len(), MAX_TOKENS);
        for odd in ["", "\u{0}\u{fffd}", "😀😀😀", &"x".repeat(500)] {
            let v = encoder.encode(odd).unwrap();
            assert!((cosine(&v, &v) - 1.0).abs() < 1e-4, "{odd:?}");
        }
    }

    #[test]
    fn weights_read_one_tensor_at_a_time_equal_weights_read_whole() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/all-minilm-l6-v2");
        let weights = std::fs::read(dir.join(WEIGHTS_FILE)).unwrap();
        let vocab = std::fs::read_to_string(dir.join(VOCAB_FILE)).unwrap();
        let whole = Encoder::from_bytes(weights.clone(), &vocab).unwrap();
        let streamed = shipped();
        assert_eq!(whole.fingerprint(), streamed.fingerprint(), "the cache key is the same");
        let text = "Do exosomes help knees heal after an injury?";
        assert_eq!(whole.encode(text).unwrap(), streamed.encode(text).unwrap());

        // A header promising more data than the file holds is an error, not a panic.
        let cut = tempfile::tempdir().unwrap();
        std::fs::write(cut.path().join(WEIGHTS_FILE), &weights[..weights.len() / 2]).unwrap();
        std::fs::write(cut.path().join(VOCAB_FILE), &vocab).unwrap();
        assert!(Encoder::load(cut.path()).is_err());
    }

    #[test]
    fn a_broken_model_folder_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let error = Encoder::load(dir.path()).unwrap_err().to_string();
        assert!(error.contains("model.safetensors"), "{error}");
        std::fs::write(dir.path().join(WEIGHTS_FILE), b"not weights").unwrap();
        std::fs::write(dir.path().join(VOCAB_FILE), "[PAD]\n[UNK]\n[CLS]\n[SEP]\n").unwrap();
        assert!(Encoder::load(dir.path()).is_err());
    }
}
