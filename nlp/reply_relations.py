"""Agree, rebut or cite: a small learned model of a mention's relation (pure).

The cue words alone (``nlp.replies.relation_of``) miss most of what a reply means: a
bare citation "See, e.g., Google at 9 (…)" agrees when the sentence before says the
developers concede a point, and rebuts when it says they argue one. The model reads
the word n-grams of the sentence (the party's name masked), the words of the sentences
around it, the cue rules' verdicts on the three, and whether the filer and the party
stand on the same side of the docket (``sides``: "rights" or "use", from their tagged
positions and the gazetteer's categories); a mention of the filer's own side is
"agree" outright.

It is fitted at run time on the labelled mentions of the replies in
``nlp.answers_eval.FIT`` only (``nlp.reply_inputs.relation_model``): a logistic
regression, deterministic (lbfgs, fixed ``random_state``), in well under a second.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from nlp.replies import Mention, relation_of

RELATIONS = ("rebut", "agree", "cite")
#: Inverse regularisation strength: 0.1, 1 and 10 score alike when each FIT reply is
#: predicted by a model fitted on the other.
C = 1.0
SEED = 20261205
_BARE = re.compile(r"^\W*(?:see|cf)\b|^\W*PARTY\b[^.]{0,30}\bat\s+\d", re.IGNORECASE)
_WORDS = CountVectorizer(ngram_range=(1, 2), lowercase=True).build_analyzer()
_UNIGRAMS = CountVectorizer(lowercase=True).build_analyzer()


def features(mention: Mention, sides: Mapping[str, str]) -> dict[str, float]:
    """The mention's features: n-grams of its sentence, words of its neighbours, the
    cue rules' verdicts, whether it is a bare citation, and the filer's side against
    the party's."""
    out: dict[str, float] = {f"s:{g}": 1.0 for g in _WORDS(mention.sentence)}
    out |= {f"b:{w}": 1.0 for w in _UNIGRAMS(mention.before)}
    out |= {f"a:{w}": 1.0 for w in _UNIGRAMS(mention.after)}
    out[f"cue:s:{relation_of(mention.sentence)}"] = 1.0
    out[f"cue:b:{relation_of(mention.before)}"] = 1.0
    out[f"cue:a:{relation_of(mention.after)}"] = 1.0
    if _BARE.search(mention.sentence):
        out["bare"] = 1.0
    theirs = sides.get(mention.party)
    mine = {s for o in mention.own if (s := sides.get(o))}
    if theirs and mine:
        out["side:same" if theirs in mine else "side:opposite"] = 1.0
    else:
        out["side:unknown"] = 1.0
    return out


@dataclass
class RelationModel:
    """A fitted model: call it on a ``Mention`` for its relation (``nlp.replies.Relate``)."""

    pipeline: Pipeline
    sides: Mapping[str, str] = field(default_factory=dict)

    def __call__(self, mention: Mention) -> str:
        found = features(mention, self.sides)
        if "side:same" in found:
            # A filer cites its own side to agree with it; the FIT replies hold too few
            # such mentions (3, all "agree") for the model to learn the weight of it.
            return "agree"
        return str(self.pipeline.predict([found])[0])


def fit_relations(
    examples: Iterable[tuple[Mention, str]], sides: Mapping[str, str], c: float = C
) -> RelationModel | None:
    """The model fitted on labelled (mention, relation) pairs; None with fewer than two
    relations to tell apart."""
    rows = [(features(m, sides), rel) for m, rel in examples if rel in RELATIONS]
    if len({rel for _, rel in rows}) < 2:
        return None
    pipeline = make_pipeline(
        DictVectorizer(),
        LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=SEED),
    )
    pipeline.fit([f for f, _ in rows], [rel for _, rel in rows])
    return RelationModel(pipeline, sides)
