"""Recall and precision of the redaction scanner on the test corpus.

    python -m bench.redaction [--verbose]

A seeded item counts as found when every letter and digit of it lies inside a finding
(nothing of it would be published). A finding is a false positive when it touches no
seeded item.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from reception.domain.redaction import Applicant, scan

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "domain" / "redaction_corpus"
_SEED = re.compile(r"⟦(\w+):(.*?)⟧")


@dataclass
class Score:
    texts: int = 0
    seeded: int = 0
    found: int = 0
    findings: int = 0
    false_positives: int = 0
    missed: list = field(default_factory=list)
    wrong: list = field(default_factory=list)
    by_kind: dict = field(default_factory=dict)

    @property
    def recall(self) -> float:
        return self.found / self.seeded if self.seeded else 1.0

    @property
    def precision(self) -> float:
        return (self.findings - self.false_positives) / self.findings if self.findings else 1.0


def unmark(marked: str) -> tuple[str, list[tuple[str, int, int]]]:
    """The plain text and the (kind, start, end) of each seeded item."""
    plain, seeds, position = [], [], 0
    for match in _SEED.finditer(marked):
        plain.append(marked[position : match.start()])
        start = sum(len(p) for p in plain)
        plain.append(match.group(2))
        seeds.append((match.group(1), start, start + len(match.group(2))))
        position = match.end()
    plain.append(marked[position:])
    return "".join(plain), seeds


def load() -> list[dict]:
    return json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))


def measure(items: list[dict]) -> Score:
    score = Score()
    for item in items:
        text, seeds = unmark(item["text"])
        findings = scan(text, Applicant(**item["applicant"]))
        covered = set()
        for f in findings:
            covered.update(range(f.start, f.end))
        score.texts += 1
        for kind, start, end in seeds:
            seen = score.by_kind.setdefault(kind, [0, 0])
            seen[1] += 1
            score.seeded += 1
            if all(i in covered for i in range(start, end) if text[i].isalnum()):
                score.found += 1
                seen[0] += 1
            else:
                score.missed.append((item["id"], kind, text[start:end]))
        for f in findings:
            score.findings += 1
            if not any(f.start < end and start < f.end for _, start, end in seeds):
                score.false_positives += 1
                score.wrong.append((item["id"], f.kind, text[f.start : f.end]))
    return score


def main(argv: list[str]) -> int:
    score = measure(load())
    print(f"texts: {score.texts}, seeded items: {score.seeded}, findings: {score.findings}")
    print(f"recall: {score.recall:.2%} ({score.found}/{score.seeded})")
    print(
        f"precision: {score.precision:.2%} "
        f"({score.findings - score.false_positives}/{score.findings})"
    )
    for kind, (found, total) in sorted(score.by_kind.items()):
        print(f"  {kind}: {found}/{total}")
    if "--verbose" in argv:
        for row in score.missed:
            print("missed", *row)
        for row in score.wrong:
            print("false positive", *row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
