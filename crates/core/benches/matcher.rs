//! Matcher benchmarks: the shipped FAQ, and a large bank when one is given.
//!
//! `cargo bench --bench matcher` measures the shipped FAQ. For a large bank,
//! build the banks (`python3 ../shared/bench/make_banks.py /tmp/banks`) and run
//! `FAQBOT_BANK=/tmp/banks/mqp-in-medquad cargo bench --bench matcher`; the
//! bank's `faq/` is loaded and its `cases.toml` questions are the queries.
//! `cargo bench --bench matcher -- vector_index` compares the product of a
//! message's vectors with 46,127 key texts' (the size of `mqp-in-medquad`)
//! through the index's blocks and through a general matrix product.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, Criterion};
use faqbot_core::engine::Engine;
use faqbot_core::{eval, faq};

/// Questions as community members type them, for the shipped FAQ.
const SHIPPED_QUERIES: &[&str] = &[
    "exosomes?",
    "how big are exsomes",
    "what are mesenchymel stemcells",
    "hey bot quick question... is exosome therapy FDA approved?",
    "is it safe to drive in snow",
    "my mum has bad knees and a clinic is pushing exosomes for osteoarthritis. is there any evidence they work for knee OA?",
    "how much does it cost?",
    "I can't breathe after my injection",
];

fn load(dir: &Path) -> Engine {
    Engine::new(faq::load_dir(dir).unwrap_or_else(|e| panic!("{e}")).faq)
}

fn shipped(c: &mut Criterion) {
    let engine = load(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../faq"));
    c.bench_function("shipped/ask (mixed queries, per query)", |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % SHIPPED_QUERIES.len();
            black_box(engine.ask(black_box(SHIPPED_QUERIES[i])))
        })
    });
}

fn bank(c: &mut Criterion) {
    let Some(bank) = std::env::var_os("FAQBOT_BANK").map(PathBuf::from) else {
        eprintln!("FAQBOT_BANK not set: skipping the large-bank benchmark");
        return;
    };
    let engine = load(&bank.join("faq"));
    let cases = eval::read_cases(&bank.join("cases.toml"), &engine).expect("bank cases");
    let questions: Vec<String> = cases.into_iter().map(|c| c.question).collect();
    let name = format!("bank/{}/ask (per query)", bank.file_name().unwrap_or_default().to_string_lossy());
    c.bench_function(&name, |b| {
        let mut i = 0;
        b.iter(|| {
            i = (i + 1) % questions.len();
            black_box(engine.ask(black_box(&questions[i])))
        })
    });
    let mut group = c.benchmark_group("bank");
    group.sample_size(10);
    group.bench_function("load + index", |b| b.iter(|| black_box(load(&bank.join("faq")))));
    group.finish();
}

/// Key texts in `mqp-in-medquad`, and vectors of a typical message there
/// (the whole, a question in context, two parts read alone; most have 1 to 6).
const INDEX_ROWS: usize = 46_127;
const MESSAGE_VECTORS: usize = 4;

fn vector_index(c: &mut Criterion) {
    use candle_core::{Device, Tensor};
    use faqbot_core::encoder::DIMS;
    use faqbot_core::pipeline::vector_index::VectorIndex;
    // Numbers with no pattern the product could exploit; their size does not matter.
    let numbers = |n: usize, seed: usize| -> Vec<f32> {
        (0..n).map(|i| (((i * 7919 + seed) % 2003) as f32 - 1001.0) / 20_000.0).collect()
    };
    let keys = numbers(INDEX_ROWS * DIMS, 1);
    let message = numbers(MESSAGE_VECTORS * DIMS, 2);
    let index = VectorIndex::new(&keys);
    let mut group = c.benchmark_group("vector_index");
    for m in [1, MESSAGE_VECTORS, 6, 8] {
        let message = numbers(m * DIMS, 3);
        group.bench_function(format!("blocks, {m} message vectors"), |b| {
            b.iter(|| black_box(index.products(black_box(&message))))
        });
    }
    let keys = Tensor::from_vec(keys, (INDEX_ROWS, DIMS), &Device::Cpu).unwrap();
    let m = Tensor::from_vec(message, (MESSAGE_VECTORS, DIMS), &Device::Cpu).unwrap();
    group.bench_function("gemm through candle (keys x message^T), 4 message vectors", |b| {
        b.iter(|| {
            black_box(keys.matmul(&m.t().unwrap()).unwrap().flatten_all().unwrap().to_vec1::<f32>().unwrap())
        })
    });
    group.finish();
}

criterion_group!(benches, shipped, bank, vector_index);
criterion_main!(benches);
