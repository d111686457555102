//! The model's weights read one tensor at a time from the safetensors file,
//! in the file's own dtype ([`StreamedWeights::read_dtype`]): the 45 MB
//! float16 file is never held whole, and the encoder makes each tensor
//! float32 once it is in its final layout (a dense layer's weight after it
//! is transposed), so loading the model peaks at little more than the
//! float32 weights themselves.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Mutex;

use candle_core::{DType, Device, Shape, Tensor};
use sha2::{Digest, Sha256};

/// The safetensors header is at most this long (it lists names, shapes and
/// offsets: a few kB for this model); a longer one is not a weights file.
const MAX_HEADER_BYTES: u64 = 1 << 20;
/// The file is hashed in pieces of this size.
const HASH_CHUNK: usize = 1 << 20;

/// Where one tensor is in the file.
#[derive(Debug, Clone)]
struct Slot {
    dtype: DType,
    shape: Vec<usize>,
    /// Byte range from the start of the data section.
    start: u64,
    end: u64,
}

/// An open weights file: its header read, its tensors read when asked for.
pub(super) struct StreamedWeights {
    file: Mutex<File>,
    data_start: u64,
    slots: HashMap<String, Slot>,
}

/// The dtype to read tensors of `dtypes` in: float16 when every float
/// tensor is float16, else float32 (see [`StreamedWeights::read_dtype`]).
pub(super) fn read_dtype(dtypes: impl IntoIterator<Item = DType>) -> DType {
    let mut floats = dtypes.into_iter().filter(|d| d.is_float()).peekable();
    if floats.peek().is_some() && floats.all(|d| d == DType::F16) {
        DType::F16
    } else {
        DType::F32
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, message)
}

impl StreamedWeights {
    /// The dtype the tensors are read in: the file's own when every float
    /// tensor is float16 (the shipped file), else float32. Reading in the
    /// file's dtype lets [`super::Encoder`] transpose a weight before making
    /// it float32, so no float32 copy is made only to be thrown away.
    pub(super) fn read_dtype(&self) -> DType {
        read_dtype(self.slots.values().map(|s| s.dtype))
    }

    /// Opens `path`, reads its header, and returns it with the SHA-256 of
    /// the whole file (hashed in pieces, as [`super::Encoder::from_bytes`] hashes the bytes).
    pub(super) fn open(path: &Path) -> std::io::Result<(StreamedWeights, String)> {
        let mut file = File::open(path)?;
        let mut hasher = Sha256::new();
        let mut chunk = vec![0u8; HASH_CHUNK];
        loop {
            let n = file.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            hasher.update(&chunk[..n]);
        }
        let fingerprint = format!("{:x}", hasher.finalize());
        file.seek(SeekFrom::Start(0))?;
        let mut len = [0u8; 8];
        file.read_exact(&mut len)?;
        let header_len = u64::from_le_bytes(len);
        if header_len > MAX_HEADER_BYTES {
            return Err(invalid(format!("not a safetensors file (a header of {header_len} bytes)")));
        }
        let mut header = vec![0u8; header_len as usize];
        file.read_exact(&mut header)?;
        let header: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(&header).map_err(|e| invalid(format!("not a safetensors header: {e}")))?;
        let mut slots = HashMap::new();
        for (name, info) in header {
            if name == "__metadata__" {
                continue;
            }
            let dtype = match info["dtype"].as_str() {
                Some("F16") => DType::F16,
                Some("BF16") => DType::BF16,
                Some("F32") => DType::F32,
                other => return Err(invalid(format!("{name}: unsupported dtype {other:?}"))),
            };
            let numbers = |key: &str| -> Option<Vec<u64>> {
                info[key].as_array()?.iter().map(serde_json::Value::as_u64).collect()
            };
            let shape = numbers("shape").ok_or_else(|| invalid(format!("{name}: no shape")))?;
            let offsets =
                numbers("data_offsets").ok_or_else(|| invalid(format!("{name}: no data_offsets")))?;
            let [start, end] = offsets[..] else {
                return Err(invalid(format!("{name}: data_offsets is not [start, end]")));
            };
            let shape: Vec<usize> = shape.into_iter().map(|d| d as usize).collect();
            let bytes = shape.iter().product::<usize>() as u64 * dtype.size_in_bytes() as u64;
            if end < start || end - start != bytes {
                return Err(invalid(format!(
                    "{name}: {} bytes for shape {shape:?}",
                    end.saturating_sub(start)
                )));
            }
            slots.insert(name, Slot { dtype, shape, start, end });
        }
        Ok((StreamedWeights { file: Mutex::new(file), data_start: 8 + header_len, slots }, fingerprint))
    }

    fn read(&self, name: &str, dtype: DType, device: &Device) -> candle_core::Result<Tensor> {
        let slot = self
            .slots
            .get(name)
            .ok_or_else(|| candle_core::Error::CannotFindTensor { path: name.to_string() }.bt())?;
        let mut bytes = vec![0u8; (slot.end - slot.start) as usize];
        {
            let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            file.seek(SeekFrom::Start(self.data_start + slot.start))?;
            file.read_exact(&mut bytes)?;
        }
        Tensor::from_raw_buffer(&bytes, slot.dtype, &slot.shape, device)?.to_dtype(dtype)
    }
}

impl candle_nn::var_builder::SimpleBackend for StreamedWeights {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        _init: candle_nn::Init,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let tensor = self.read(name, dtype, device)?;
        if tensor.shape() != &shape {
            return Err(candle_core::Error::UnexpectedShape {
                msg: format!("shape mismatch for {name}"),
                expected: shape,
                got: tensor.shape().clone(),
            }
            .bt());
        }
        Ok(tensor)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, device: &Device) -> candle_core::Result<Tensor> {
        self.read(name, dtype, device)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.slots.contains_key(name)
    }
}
