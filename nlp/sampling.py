"""The labelled set's documents and splits, drawn at random by a fixed seed.

``python -m nlp.sampling`` reads the docket's comment ids from the recorded
corpus and writes ``data/labels/split.json``:

- ``comments``: 1,600 comments drawn uniformly at random from the whole docket
  (the 17 major filings excepted: they are labelled in full and scored
  leave-one-filing-out);
- ``test``: 500 of them, the frozen test split. Documents of the earlier
  hand-labelled set (``earlier.jsonl``, which the old lexicon was tuned on)
  are never drawn into it. Never used for training, tuning, thresholds or
  lexicon edits;
- ``double``: 10 % of the comments, labelled a second time, independently, for
  the agreement figures;
- ``major`` and ``txt``: the 17 major filings (PDF attachments) and the
  documents with plain-text attachments, labelled at sentence level.

The draw depends only on the seed and the sorted id list, so anyone can
re-run it and get the same split; ``tests/test_labels.py`` checks that.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
from pathlib import Path
from typing import Any

from kb.settings import PROJECT_ROOT, corpus_dir

SEED = 20261202
N_COMMENTS = 1600
N_TEST = 500
DOUBLE_SHARE = 0.10
SPLIT_FILE = PROJECT_ROOT / "data" / "labels" / "split.json"
DOCKET = "COLC-2023-0006"


def docket_dir(corpus: Path) -> Path:
    return corpus / "regulations.gov" / DOCKET


def comment_ids(corpus: Path) -> list[str]:
    with gzip.open(docket_dir(corpus) / "comment-text.jsonl.gz", "rt", encoding="utf-8") as fh:
        ids = {json.loads(line)["id"] for line in fh if line.strip()}
    return sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))


def attachment_docs(corpus: Path, ext: str) -> list[str]:
    root = docket_dir(corpus) / "attachments"
    ids = {p.parent.name for p in root.glob(f"*/*.{ext}")}
    return sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))


def earlier_labelled(
    path: Path = PROJECT_ROOT / "data" / "labels" / "earlier.jsonl",
) -> set[str]:
    """The comments of the first hand-labelled set (the old lexicon was tuned on them;
    its other documents were the major filings, never drawn)."""
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {json.loads(line)["id"] for line in lines if line.strip()}


def draw(corpus: Path) -> dict[str, Any]:
    major = attachment_docs(corpus, "pdf")
    population = [i for i in comment_ids(corpus) if i not in set(major)]
    rng = random.Random(SEED)
    comments = rng.sample(population, N_COMMENTS)
    earlier = earlier_labelled()
    eligible = [i for i in comments if i not in earlier]
    test = sorted(rng.sample(eligible, N_TEST), key=comments.index)
    double = rng.sample(comments, round(DOUBLE_SHARE * N_COMMENTS))
    return {
        "seed": SEED,
        "population": len(population),
        "comments": comments,
        "test": test,
        "double": double,
        "major": major,
        "txt": attachment_docs(corpus, "txt"),
    }


def ids_hash(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def load_split(path: Path = SPLIT_FILE) -> dict[str, list[str]]:
    return json.loads(path.read_text(encoding="utf-8"))


def is_doc_id(text: str) -> bool:
    return bool(re.fullmatch(r"COLC-2023-0006-\d{4,5}", text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=SPLIT_FILE)
    args = parser.parse_args()
    split = draw(args.corpus or corpus_dir())
    args.out.write_text(json.dumps(split, indent=1) + "\n", encoding="utf-8")
    print(f"{len(split['comments'])} comments, {len(split['test'])} test -> {args.out}")


if __name__ == "__main__":
    main()


EXTRA_SEED = 20261204
N_EXTRA = 600
EXTRA_FILE = PROJECT_ROOT / "data" / "labels" / "extra.json"
#: Stances the random draw holds few examples of (AI developers' side, and the issues
#: few comments argue): the extra training documents are drawn among comments where
#: the lexicon sees one of them.
RARE = {
    ("training_fair_use", "supports"),
    ("consent_required", "opposes"),
    ("compensation", "opposes"),
    ("output_copyrightability", "supports"),
    ("output_copyrightability", "mixed"),
    *((i, s) for i in ("training_transparency", "ai_output_labeling", "credit_attribution",
                       "voice_likeness_right") for s in ("supports", "opposes", "mixed")),
}  # fmt: skip


EXTRA_MORE_SEED = 20261205
N_EXTRA_MORE = 400


def draw_extra(
    texts: dict[str, str],
    seed: int = EXTRA_SEED,
    n: int = N_EXTRA,
    exclude: frozenset[str] = frozenset(),
) -> list[str]:
    """Extra training comments (``data/labels/extra.json``): drawn at random (seeded)
    among the comments outside the split whose text holds a lexicon cue of a rare
    stance. Training only: never test or dev, and not a random sample of the docket.
    The second draw (``more``: ``EXTRA_MORE_SEED``) excludes the first."""
    from nlp.stance import classify

    rare = [
        i
        for i in _unlabelled(texts, exclude)
        if {(h.issue, h.stance) for h in classify(texts[i])} & RARE
    ]
    return _sample(rare, seed, n)


def _by_number(ids: list[str]) -> list[str]:
    return sorted(ids, key=lambda i: int(i.rsplit("-", 1)[1]))


def _unlabelled(texts: dict[str, str], exclude: frozenset[str]) -> list[str]:
    """The comments with text outside every labelled set and ``exclude``, in id order."""
    split = load_split()
    taken = {*split["comments"], *split["major"], *split["txt"], *earlier_labelled(), *exclude}
    return _by_number([i for i, text in texts.items() if i not in taken and text])


def _sample(pool: list[str], seed: int, n: int) -> list[str]:
    return _by_number(random.Random(seed).sample(pool, min(n, len(pool))))


def draw_matching(
    texts: dict[str, str], exclude: frozenset[str], words: re.Pattern[str], seed: int, n: int
) -> list[str]:
    """``n`` unlabelled comments drawn at random (``seed``) among those using ``words``."""
    return _sample([i for i in _unlabelled(texts, exclude) if words.search(texts[i])], seed, n)


KEYWORD_SEED = 20261206
N_KEYWORD = 800
#: Words of the arguments the drawn sets hold least of (training is fair use, AI output
#: deserves copyright, an opt-out suffices, disclosure, labelling, voice and likeness):
#: the third extra draw is random among the unlabelled comments that use one of them,
#: now that the lexicon's rare-stance pool is used up. Selection only; labels come from
#: reading.
KEYWORDS = re.compile(
    r"\b(transformative|fair use|opt[- ]?out|disclos\w*|transparen\w*|label\w*|watermark\w*|"
    r"voice|likeness|deepfake\w*|public domain|human authorship|copyrightable|"
    r"like a human|inspiration|learn(s|ing)? from)\b",
    re.IGNORECASE,
)


def draw_keyword(texts: dict[str, str], exclude: frozenset[str]) -> list[str]:
    """Extra training comments (``extra.json``: ``keyword``): drawn at random (seeded)
    among the unlabelled comments whose text uses one of ``KEYWORDS``."""
    return draw_matching(texts, exclude, KEYWORDS, KEYWORD_SEED, N_KEYWORD)


PRO_AI_SEED = 20261208
N_PRO_AI = 800
#: Words of the AI developers' side, which the labelled sets hold least of (training is
#: fair use, an opt-out is enough, no payment owed, AI output deserves copyright): the
#: fourth extra draw is random among the unlabelled comments that use one of them.
#: Selection only; labels come from reading.
PRO_AI = re.compile(
    r"\b(transformative|learn(s|ed|ing)? (from|like)|like (a |any )?(human|person|student|"
    r"artist)s?|inspir\w+|no different|public(ly)? available|open[- ]source|innovat\w+|"
    r"democratiz\w+|progress|tool like|camera|photoshop|fair game|opt[- ]?out|royalt\w+)\b",
    re.IGNORECASE,
)


def draw_pro_ai(texts: dict[str, str], exclude: frozenset[str]) -> list[str]:
    """Extra training comments (``extra.json``: ``pro_ai``): drawn at random (seeded)
    among the unlabelled comments whose text uses one of ``PRO_AI``."""
    return draw_matching(texts, exclude, PRO_AI, PRO_AI_SEED, N_PRO_AI)
