"""Split the out-of-domain bank into two halves of ordinary messages.

The bank (`python3 ../shared/bench/make_banks.py /tmp/banks`) holds 2,828
health questions the FAQ does not cover, written by the public. For the safety
triage they are ordinary messages: the halves let the triage be tuned on one
and measured on the other (never tuned on). A message goes to a half by the
SHA-256 of its text, so the split is the same on every machine.

  python3 scripts/ood_halves.py /tmp/banks/out-of-domain.toml /tmp/banks
  faqbot eval /tmp/banks/ood-test.toml      # the half that is only measured
"""
import hashlib
import json
import sys
import tomllib
from pathlib import Path


def main():
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    cases = tomllib.load(open(source, "rb"))["case"]
    halves = {"tune": [], "test": []}
    for case in cases:
        digest = hashlib.sha256(case["question"].encode()).digest()
        halves["tune" if digest[0] % 2 == 0 else "test"].append(case["question"])
    for name, questions in halves.items():
        with open(out / f"ood-{name}.toml", "w") as f:
            f.write(f"# Out-of-domain health questions as ordinary messages, {name} half "
                    "(scripts/ood_halves.py).\n")
            for q in questions:
                f.write(f"\n[[case]]\nquestion = {json.dumps(q, ensure_ascii=False)}\n"
                        'expect = "ordinary"\nkind = "out-of-domain"\n')
        print(name, len(questions))


if __name__ == "__main__":
    main()
