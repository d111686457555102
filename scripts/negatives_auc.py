#!/usr/bin/env python3
"""How well the top confidence separates a bank's positives from its look-alikes.

usage: scripts/negatives_auc.py FAQ_DIR POSITIVES.toml NEGATIVES.toml
Runs `faqbot ask --json -` (release build) on both case files and prints the
AUC of the top ranked confidence, positives against negatives (0.5 = chance).
"""
import bisect
import json
import subprocess
import sys
import tomllib


def top_confidences(faq, cases_path):
    cases = tomllib.load(open(cases_path, "rb"))["case"]
    lines = "\n".join(c["question"].replace("\n", " ") for c in cases) + "\n"
    out = subprocess.run(
        ["target/release/faqbot", "ask", "--faq", faq, "--json", "-"],
        input=lines, capture_output=True, text=True, check=True,
    ).stdout.splitlines()
    return [(json.loads(l)["ranked"] or [{"confidence": 0.0}])[0]["confidence"] for l in out]


def main():
    faq, positives, negatives = sys.argv[1:4]
    pos, neg = top_confidences(faq, positives), sorted(top_confidences(faq, negatives))
    wins = 0.0
    for x in pos:
        below, upto = bisect.bisect_left(neg, x), bisect.bisect_right(neg, x)
        wins += below + 0.5 * (upto - below)
    print(f"AUC {wins / (len(pos) * len(neg)):.3f} ({len(pos)} positives, {len(neg)} negatives)")


if __name__ == "__main__":
    main()
