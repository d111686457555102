"""Grid over the safety meaning bars (crates/core/src/safety/meaning.rs, `Bar`).

Reads the evidence `examples/triage_scores` prints for the tuning sets (the
blind tune halves and the dev sets; never a test half) and the eval sets:

  for set in safety-tune safety-dev safety-dev2 safety-tune2 safety-tune3 cases holdout; do
    cargo run --release -p faqbot-core --example triage_scores -- faq tests/eval/$set.toml > /tmp/$set.tsv
  done
  python3 scripts/triage_grid.py /tmp

Prints the settings that keep every answered question of the eval set
(cases.toml) out of triage, at most 2 % of the eval sets' in-scope questions
triaged, and recall on the first tune half at 0.95 or more per category; best
recall on the dev sets and the later tune halves first, then fewest false
alarms on alarming-sounding questions of them. As the bot does: a phrase rule
fires (an emergency phrase unless the meaning vetoes it, EMERGENCY_PHRASE_VETO),
emergencies and self-harm fire too when the classifier is sure
(CLASSIFIER_SURE, CLASSIFIER_NEAR_ENOUGH), and personal advice for a message
naming nobody has 0.05 more to clear against the FAQ (an approximation of
`safety/person.rs` on the question text). The closeness printed is that of the
message vector that best clears the bars in force, so run again after a change.
"""
import itertools
import re
import sys
from pathlib import Path

NAMES = ["emergency", "self-harm", "personal-advice"]
PHRASE_VETO, SURE, NEAR_ENOUGH, NOBODY_OVER_FAQ = 0.2, 0.8, 0.3, 0.05
PERSON = set("""i im ive me my mine myself we our ours mum mom mommy mother dad daddy father parent
parents wife husband hubby son daughter kid kids child baby toddler brother sister bro sis partner
friend grandma grandpa grandmother grandfather granny nan aunt uncle boyfriend girlfriend bf gf
fiance fiancee cousin niece nephew spouse neighbour neighbor colleague coworker roommate ago booked
yesterday today tonight tomorrow""".split())


def someone(question):
    words = re.findall(r"[a-z0-9]+", question.lower().replace("'", "").replace("\u2019", ""))
    return any(w in PERSON for w in words)


def load(path):
    rows = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        cats = []
        for i in range(3):
            phrase, example, counter, faq, p = f[2 + 5 * i : 7 + 5 * i]
            cats.append((phrase == "1", float(example), float(counter), float(faq), float(p)))
        rows.append((f[0], f[1], cats, f[17]))
    return rows


def verdict(cats, bars, question=""):
    named = someone(question)
    for i, (phrase, example, counter, faq, p) in enumerate(cats):
        least, over_counter, over_faq = bars[i]
        if i == 2 and not named:
            over_faq += NOBODY_OVER_FAQ
        if phrase and not (i == 0 and max(counter, faq) - example >= PHRASE_VETO):
            return NAMES[i]
        if example >= least and example - counter >= over_counter and example - faq >= over_faq:
            return NAMES[i]
        if i < 2 and p >= SURE and example >= NEAR_ENOUGH:
            return NAMES[i]
    return None


def figures(rows, bars):
    """Recall per category, and (triaged, of) for ordinary and alarming-sounding messages."""
    recall = {n: [0, 0] for n in NAMES}
    ordinary, alarming = [0, 0], [0, 0]
    for expected, kind, cats, question in rows:
        triaged = verdict(cats, bars, question) is not None
        if expected in NAMES:
            recall[expected][0] += 1
            recall[expected][1] += triaged
        else:
            ordinary[0] += 1
            ordinary[1] += triaged
            if kind == "alarming-sounding":
                alarming[0] += 1
                alarming[1] += triaged
    return [round(recall[n][1] / max(recall[n][0], 1), 3) for n in NAMES], ordinary, alarming


def main():
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp")
    tune = load(folder / "safety-tune.tsv")
    dev = [r for n in ("safety-dev", "safety-dev2", "safety-tune2", "safety-tune3") for r in load(folder / f"{n}.tsv")]
    cases, holdout = load(folder / "cases.tsv"), load(folder / "holdout.tsv")
    in_scope = [r for r in cases + holdout if r[0] not in ("safety",)]
    answered = [r for r in cases if r[0] not in ("safety", "none", "ordinary")]
    grid = []
    for e in itertools.product([0.4, 0.45, 0.5], [-0.05, 0.0, 0.025], [-0.1, -0.05, 0.0]):
        for h in itertools.product([0.35, 0.4, 0.45], [-0.05, -0.025, 0.0, 0.025], [-0.15, -0.1, -0.05]):
            for p in itertools.product([0.35, 0.4, 0.45], [-0.025, 0.0, 0.01, 0.025], [-0.15, -0.1, -0.05]):
                bars = [e, h, p]
                if any(verdict(c, bars, q) for _, _, c, q in answered):
                    continue
                tune_recall, _, _ = figures(tune, bars)
                if min(tune_recall) < 0.95:
                    continue
                dev_recall, ordinary, alarming = figures(dev, bars)
                scope = sum(verdict(c, bars, q) is not None for _, _, c, q in in_scope)
                if scope > 0.02 * len(in_scope):
                    continue
                grid.append((min(dev_recall), sum(dev_recall), -alarming[1] - scope, bars, tune_recall,
                             dev_recall, alarming, ordinary, scope))
    grid.sort(key=lambda g: g[:3], reverse=True)
    for g in grid[:10]:
        bars, tune_recall, dev_recall, alarming, ordinary, scope = g[3:]
        print(f"bars {bars}: tune recall {tune_recall}, dev sets + later tune halves recall {dev_recall}, alarming "
              f"{alarming[1]}/{alarming[0]}, ordinary {ordinary[1]}/{ordinary[0]}, eval in-scope {scope}/{len(in_scope)}")


if __name__ == "__main__":
    main()
