//! Triage by a classifier over sentence vectors: a softmax regression with
//! four classes (ordinary, emergency, self-harm, personal advice), trained
//! at load on what `safety.toml` and the FAQ say. Each category's
//! `examples` are that class; its `counter_examples`, the `[ordinary]`
//! examples and the FAQ's own key texts are ordinary.
//!
//! Where the nearest-example reading ([`super::meaning`]) asks "is there an
//! example like this message?", the classifier asks "which way does this
//! message lean?": a direction in the model's space learnt from every example
//! at once, so a wording unlike any single example can still read as
//! emergency when it shares what the emergencies share.
//!
//! Two are trained, one per kind of vector ([`Reads`]): over the meaning
//! vectors (emergency and self-harm read it) and over the stance vectors
//! (the middle layers' mean, [`crate::encoder::STANCE_LAYERS`]; personal
//! advice reads it).
//!
//! Training is deterministic (zero start, full batch, fixed steps), so one
//! `safety.toml` always gives the same classifier.

use candle_core::{DType, Device, Tensor};

use crate::encoder::DIMS;
use crate::pipeline::rescore::MessageVectors;

use super::SafetyCategory;

/// The classes, in the order of the classifier's outputs: ordinary, then
/// [`SafetyCategory::ALL`].
const CLASSES: usize = 4;

/// Passes over the training set. 200, 300 and 600 gave the same verdicts on
/// the tuning sets (tune2, tune3, dev2) and the eval set; 100 had not
/// settled (one ordinary message of tune3 more triaged, one of tune2 fewer).
/// Each 100 costs about 60 ms of load on the shipped FAQ (`faqbot eval`'s
/// "load + index").
const STEPS: usize = 200;

/// Adam's step size: large, since the vectors are unit length and their
/// useful weights are in the tens.
const LEARNING_RATE: f64 = 0.05;

/// The L2 penalty on the weights: keeps the classifier from leaning on a
/// direction only one or two examples share.
const L2: f64 = 1e-4;

/// The ordinary class weighs this many times a category in the loss (each
/// class first weighed to the same total): a false alarm on an everyday
/// message is what the classifier must learn to avoid, the recall comes from
/// the examples' neighbourhoods too. On the three tune halves and the dev
/// set (344 ordinary messages), with the rule in force: 3 triaged 12
/// ordinary (10 alarming-sounding) where 1 triaged 14 (11), same recall.
const ORDINARY_WEIGHT: f32 = 3.0;

/// At most this many FAQ key texts join the training set (every n-th one
/// past it): a 46,000-entry bank would make each load train for seconds,
/// and a few thousand questions say all that "an FAQ question" has to say.
const MAX_FAQ_ROWS: usize = 3_000;

/// The FAQ key texts that join the training set: at most [`MAX_FAQ_ROWS`],
/// every n-th one past it.
pub(super) fn sample<T>(faq: &[T]) -> impl Iterator<Item = &T> {
    faq.iter().step_by(faq.len().div_ceil(MAX_FAQ_ROWS).max(1))
}

/// A trained classifier: weights (DIMS, CLASSES) and biases (1, CLASSES).
#[derive(Debug)]
pub(super) struct Classifier {
    weights: Tensor,
    bias: Tensor,
    reads: Reads,
}

/// Which of a text's vectors a classifier reads ([`crate::encoder::Pooled`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reads {
    /// The last layer's mean: what the text is about.
    Meaning,
    /// The middle layers' mean: what the writer does with the words.
    Stance,
}

/// One labelled training text: its vector and its class (0 ordinary,
/// 1 + the category's place in [`SafetyCategory::ALL`]).
#[derive(Clone, Copy)]
pub(super) struct Labelled<'a> {
    pub vector: &'a [f32],
    pub class: usize,
}

/// The class index of `category`.
pub(super) fn class_of(category: SafetyCategory) -> usize {
    1 + SafetyCategory::ALL.iter().position(|&c| c == category).unwrap_or(0)
}

impl Classifier {
    /// Trains on `rows` plus `faq` (vectors of the FAQ's key texts, all
    /// ordinary; the caller passes [`sample`]'s share of a large FAQ). Each
    /// class weighs the same in the loss whatever its count:
    /// 1,000 FAQ questions must not drown 150 emergencies. `None` when a
    /// category has no example (nothing to learn it from).
    pub(super) fn train(rows: &[Labelled<'_>], faq: &[&[f32]], reads: Reads) -> Option<Classifier> {
        let faq_rows = faq.iter().map(|v| Labelled { vector: v, class: 0 });
        let all: Vec<Labelled<'_>> = rows.iter().copied().chain(faq_rows).collect();
        let mut counts = [0usize; CLASSES];
        for r in &all {
            counts[r.class] += 1;
        }
        if counts.contains(&0) {
            return None;
        }
        let (weights, bias) = train(&all, &counts).ok()?;
        Some(Classifier { weights, bias, reads })
    }

    /// Per message vector, each category's probability (in
    /// [`SafetyCategory::ALL`] order); `None` for a vector without the
    /// vector it reads (a key text of the FAQ, word for word, has no stance).
    pub(super) fn probabilities(&self, message: &MessageVectors) -> Option<Vec<Option<[f32; 3]>>> {
        let m = match self.reads {
            Reads::Meaning => message.matrix()?,
            Reads::Stance => message.stances()?,
        };
        let p = probabilities(m, &self.weights, &self.bias).ok()?;
        let p: Vec<Vec<f32>> = p.to_vec2().ok()?;
        Some(
            p.into_iter()
                .enumerate()
                .map(|(i, row)| {
                    (self.reads == Reads::Meaning || message.has_stance(i)).then(|| [row[1], row[2], row[3]])
                })
                .collect(),
        )
    }
}

/// Softmax of `x · w + b`, row by row.
fn probabilities(x: &Tensor, w: &Tensor, b: &Tensor) -> candle_core::Result<Tensor> {
    candle_nn::ops::softmax_last_dim(&x.matmul(w)?.broadcast_add(b)?)
}

/// Full-batch Adam on the class-weighted cross-entropy.
fn train(rows: &[Labelled<'_>], counts: &[usize; CLASSES]) -> candle_core::Result<(Tensor, Tensor)> {
    let dev = &Device::Cpu;
    let n = rows.len();
    let flat: Vec<f32> = rows.iter().flat_map(|r| r.vector.iter().copied()).collect();
    let x = Tensor::from_vec(flat, (n, DIMS), dev)?;
    // Targets times each row's weight (n / (CLASSES * its class's count)),
    // so the gradient of the weighted loss is (p * weight - target).
    let mut class_weight: Vec<f32> = counts.iter().map(|&c| n as f32 / (CLASSES as f32 * c as f32)).collect();
    class_weight[0] *= ORDINARY_WEIGHT;
    let mut target = vec![0f32; n * CLASSES];
    let mut weight = vec![0f32; n];
    for (i, r) in rows.iter().enumerate() {
        target[i * CLASSES + r.class] = class_weight[r.class];
        weight[i] = class_weight[r.class];
    }
    let target = Tensor::from_vec(target, (n, CLASSES), dev)?;
    let weight = Tensor::from_vec(weight, (n, 1), dev)?;
    let xt = x.t()?.contiguous()?;
    let mut w = Tensor::zeros((DIMS, CLASSES), DType::F32, dev)?;
    let mut b = Tensor::zeros((1, CLASSES), DType::F32, dev)?;
    let (mut mw, mut vw) = (w.zeros_like()?, w.zeros_like()?);
    let (mut mb, mut vb) = (b.zeros_like()?, b.zeros_like()?);
    let (beta1, beta2, eps) = (0.9f64, 0.999f64, 1e-8f64);
    for step in 1..=STEPS {
        let p = probabilities(&x, &w, &b)?;
        let g = (p.broadcast_mul(&weight)? - &target)?.affine(1.0 / n as f64, 0.0)?;
        let gw = (xt.matmul(&g)? + w.affine(2.0 * L2, 0.0)?)?;
        let gb = g.sum_keepdim(0)?;
        let t = step as i32;
        let (c1, c2) = (1.0 - beta1.powi(t), 1.0 - beta2.powi(t));
        let adam =
            |param: &Tensor, grad: &Tensor, m: &mut Tensor, v: &mut Tensor| -> candle_core::Result<Tensor> {
                *m = (m.affine(beta1, 0.0)? + grad.affine(1.0 - beta1, 0.0)?)?;
                *v = (v.affine(beta2, 0.0)? + grad.sqr()?.affine(1.0 - beta2, 0.0)?)?;
                let step = (m.affine(1.0 / c1, 0.0)? / (v.affine(1.0 / c2, 0.0)?.sqrt()? + eps)?)?;
                param - step.affine(LEARNING_RATE, 0.0)?
            };
        w = adam(&w, &gw, &mut mw, &mut vw)?;
        b = adam(&b, &gb, &mut mb, &mut vb)?;
    }
    Ok((w, b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit vector leaning on axis `axis`, nudged by `noise` on axis `noise_axis`.
    fn unit(axis: usize, noise_axis: usize, noise: f32) -> Vec<f32> {
        let mut v = vec![0f32; DIMS];
        v[axis] = 1.0;
        v[noise_axis] += noise;
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / norm).collect()
    }

    #[test]
    fn it_learns_which_way_each_category_leans_and_generalises_to_a_new_wording() {
        // Each class lives around its own axis; the "new wording" is near
        // its class's axis but unlike any training row.
        let train: Vec<(Vec<f32>, usize)> =
            (0..CLASSES).flat_map(|c| (0..6).map(move |k| (unit(c, 10 + k, 0.3), c))).collect();
        let rows: Vec<Labelled<'_>> = train.iter().map(|(v, c)| Labelled { vector: v, class: *c }).collect();
        let faq = [unit(0, 40, 0.2)];
        let faq: Vec<&[f32]> = faq.iter().map(Vec::as_slice).collect();
        let model = Classifier::train(&rows, &faq, Reads::Meaning).expect("every class has rows");
        for (class, category) in SafetyCategory::ALL.iter().enumerate() {
            let probe = unit(class + 1, 60, 0.5);
            let x = Tensor::from_vec(probe, (1, DIMS), &Device::Cpu).unwrap();
            let p: Vec<Vec<f32>> = probabilities(&x, &model.weights, &model.bias).unwrap().to_vec2().unwrap();
            let best = (0..CLASSES).max_by(|&a, &b| p[0][a].total_cmp(&p[0][b])).unwrap();
            assert_eq!(best, class + 1, "{category:?}: {:?}", p[0]);
        }
    }

    #[test]
    fn a_category_without_examples_gives_no_classifier() {
        let v = unit(0, 1, 0.0);
        let rows = [Labelled { vector: &v, class: 1 }, Labelled { vector: &v, class: 2 }];
        assert!(Classifier::train(&rows, &[&v], Reads::Stance).is_none());
    }
}
