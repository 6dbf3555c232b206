"""A random sample of the docket's comments that number lines, to measure the question
numbering where individuals write it (the labelled major filings are formal filings).

``python -m nlp.numbering_sample`` reads the docket's comments from the database and
writes ``data/labels/numbering-sample.json``: every comment outside the 17 labelled
major filings with at least ``MIN_LINES`` lines that open with a number the Notice
asks ("8.", "8.1", "Q8", "Question 8"), sorted by id, and ``N`` of them drawn at
random (seed ``SEED``) to measure on (``ids``), then ``N`` of the others (seed
``DEV_SEED``) to write rules from (``dev``). The draw reads only the texts' form,
never what the tagger finds in them; their answers are labelled by reading
(``comment-numbering.jsonl``, the rules in ``data/labels/README.md``) and ``kb eval``
scores the rules on ``ids``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from nlp.labels import LABELS_DIR
from nlp.sampling import DOCKET

SEED = 20261207
DEV_SEED = 20261208
N = 40
MIN_LINES = 3
SAMPLE_FILE = LABELS_DIR / "numbering-sample.json"
_NUMBERED_LINE = re.compile(
    r"(?m)^[ \t]*(?:Q(?:uestion)?\.?[ \t]*)?(\d{1,2}(?:\.\d{1,2})?)[.):]?[ \t]+\S"
)


def numbers_lines(text: str, known: set[str], least: int = MIN_LINES) -> bool:
    """Whether at least ``least`` lines of ``text`` open with a number the Notice asks."""
    return sum(m.group(1) in known for m in _NUMBERED_LINE.finditer(text)) >= least


def draw(texts: Iterable[tuple[str, str]], known: set[str], exclude: set[str]) -> dict[str, Any]:
    """The sample: the candidates (sorted by their number) and ``N`` drawn from them."""
    candidates = sorted(
        (i for i, text in texts if i not in exclude and numbers_lines(text, known)),
        key=lambda i: int(i.rsplit("-", 1)[1]),
    )
    drawn = random.Random(SEED).sample(candidates, min(N, len(candidates)))
    rest = [i for i in candidates if i not in drawn]
    dev = random.Random(DEV_SEED).sample(rest, min(N, len(rest)))
    return {
        "seed": SEED,
        "criterion": f"comments of {DOCKET} outside the labelled major filings with at "
        f"least {MIN_LINES} lines opening with a Notice question's number",
        "candidates": len(candidates),
        "ids": sorted(drawn, key=lambda i: int(i.rsplit("-", 1)[1])),
        "dev": sorted(dev, key=lambda i: int(i.rsplit("-", 1)[1])),
    }


def main() -> None:
    from nlp.answers_eval import read_labels
    from nlp.tag_answers import docket_questions

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="kb.db", help="a database the corpus is imported into")
    args = parser.parse_args()
    db = Database(args.db)
    known = {q.number for q in docket_questions(db)[0][DOCKET]}
    texts = db.execute(
        "select id, text from documents where docket_id = ? and kind = 'comment' "
        "and text is not null",
        [DOCKET],
    ).fetchall()
    sample = draw(texts, known, {r.id for r in read_labels()})
    SAMPLE_FILE.write_text(json.dumps(sample, indent=1) + "\n", encoding="utf-8")
    print(f"{len(sample['ids'])} of {sample['candidates']} candidates -> {SAMPLE_FILE}")


if __name__ == "__main__":
    main()
