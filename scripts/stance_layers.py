"""Which layers make the stance vector the safety classifier reads
(crates/core/src/encoder/mod.rs, STANCE_LAYERS).

    /tmp/venv/bin/python scripts/stance_layers.py last 2,3,4,5 1,2,3,4,5 2,3,4 3,4 4

For each choice of layers (1-based outputs of the six; "last" is layer 6,
the meaning vector), every text's vector is the sum of those layers' token
states, mean-pooled and scaled to unit length (as the encoder does). A
softmax regression like `safety/classifier.rs` (four classes, the same loss
weights, Adam, 200 steps) is trained on what `faq/safety.toml` and the FAQ
say (examples of each category; counter-examples, `[ordinary]` and the FAQ's
key texts as ordinary) and judged on whole messages of the tuning sets (the
tune halves and dev sets 1-9; never a test half) and the out-of-domain tune
half (`scripts/ood_halves.py`, under /tmp/banks): per category, the ROC area
against the sets' ordinary messages and against the out-of-domain questions,
and the share of the category's messages scored above all but 2 % of the
ordinary messages. Needs the venv of scripts/convert_minilm.py (numpy).
"""
import glob
import os
import sys
import tomllib

import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(__file__))
import bert_numpy as bert  # noqa: E402
from bert_tokenizer import Tokenizer  # noqa: E402

ROOT = os.path.join(os.path.dirname(__file__), "..")
TUNING = ["tune", "tune2", "tune3"] + ["dev"] + [f"dev{k}" for k in range(2, 10)]
CATEGORIES = {"emergency": 1, "self-harm": 2, "personal-advice": 3}


def layer_means(w, tok, texts, batch=64):
    """(texts, 7, 384): each text's mean token state after the embeddings (0)
    and after each of the six layers (1-6)."""
    out = np.zeros((len(texts), 7, 384), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        ids = [tok.encode(texts[i]) for i in idx]
        n = max(map(len, ids))
        arr = np.zeros((len(ids), n), np.int64)
        mask = np.zeros((len(ids), n), np.float32)
        for j, x in enumerate(ids):
            arr[j, :len(x)] = x
            mask[j, :len(x)] = 1
        for layer, h in enumerate(bert.layer_states(w, arr, mask)):
            out[idx, layer] = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return out


def vectors(means, layers):
    v = sum(means[:, layer] for layer in layers)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def train(x, y, steps=200, lr=0.05, l2=1e-4, ordinary_weight=3.0):
    """As safety/classifier.rs: class-weighted softmax regression, full-batch Adam."""
    n = len(y)
    counts = np.bincount(y, minlength=4)
    cw = n / (4 * counts)
    cw[0] *= ordinary_weight
    target = np.zeros((n, 4))
    target[np.arange(n), y] = cw[y]
    wt = cw[y][:, None]
    W, b = np.zeros((x.shape[1], 4)), np.zeros((1, 4))
    mW, vW, mb, vb = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    for t in range(1, steps + 1):
        p = probabilities(x, W, b)
        g = (p * wt - target) / n
        gW, gb = x.T @ g + 2 * l2 * W, g.sum(0, keepdims=True)
        c1, c2 = 1 - 0.9 ** t, 1 - 0.999 ** t
        mW, vW = 0.9 * mW + 0.1 * gW, 0.999 * vW + 0.001 * gW ** 2
        mb, vb = 0.9 * mb + 0.1 * gb, 0.999 * vb + 0.001 * gb ** 2
        W = W - lr * (mW / c1) / (np.sqrt(vW / c2) + 1e-8)
        b = b - lr * (mb / c1) / (np.sqrt(vb / c2) + 1e-8)
    return W, b


def probabilities(x, W, b):
    z = x @ W + b
    z -= z.max(1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(1, keepdims=True)


def roc_area(pos, neg):
    ranks = np.concatenate([pos, neg]).argsort().argsort() + 1
    return (ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def training_rows():
    """(text, class) for what safety/classifier.rs trains on: each category's
    examples (1-3), its counter-examples, `[ordinary]` and the FAQ's key texts (0)."""
    safety = tomllib.load(open(os.path.join(ROOT, 'faq/safety.toml'), 'rb'))
    rows = []
    for section, label in (('emergency', 1), ('self_harm', 2), ('personal_advice', 3)):
        rows += [(t, label) for t in safety[section]['examples']]
        rows += [(t, 0) for t in safety[section]['counter_examples']]
    rows += [(t, 0) for t in safety['ordinary']['examples']]
    for f in sorted(glob.glob(os.path.join(ROOT, 'faq/*.toml'))):
        for e in tomllib.load(open(f, 'rb')).get('entry', []):
            rows += [(t, 0) for t in [e['question']] + e.get('alternates', [])]
    return rows


def main(choices):
    w = load_file(os.path.join(bert.MODEL, 'model.safetensors'))
    tok = Tokenizer(os.path.join(bert.MODEL, 'vocab.txt'))
    rows = training_rows()
    labels = np.array([c for _, c in rows])
    train_means = layer_means(w, tok, [t for t, _ in rows])
    messages, expect = [], []
    for name in TUNING:
        for c in tomllib.load(open(os.path.join(ROOT, f'tests/eval/safety-{name}.toml'), 'rb'))['case']:
            messages.append(c['question'])
            expect.append(CATEGORIES.get(c['expect'], 0) if isinstance(c['expect'], str) else 0)
    ood = [c['question'] for c in tomllib.load(open('/tmp/banks/ood-tune.toml', 'rb'))['case']]
    expect = np.array(expect + [-1] * len(ood))
    message_means = layer_means(w, tok, messages + ood)
    for choice in choices:
        layers = [6] if choice == 'last' else [int(k) for k in choice.split(',')]
        W, b = train(vectors(train_means, layers), labels)
        p = probabilities(vectors(message_means, layers), W, b)
        line = [f"layers {choice}:"]
        for name, k in CATEGORIES.items():
            pos, neg, out = p[expect == k, k], p[expect == 0, k], p[expect == -1, k]
            above = np.mean(pos > np.quantile(neg, 0.98))
            line.append(f"{name} ROC {roc_area(pos, neg):.3f} (out-of-domain {roc_area(pos, out):.3f}), "
                        f"above 98% of ordinary {above:.3f}")
        print("\n  ".join(line))


if __name__ == '__main__':
    main(sys.argv[1:] or ['last', '2,3,4,5'])
