"""The French pipeline without spaCy's hyphenated-word expression (``nlp.french_tokenizer``):
its rules are spaCy's, and it splits the corpus's French article into the same sentences."""

from __future__ import annotations

import pytest
import spacy

from nlp.french_tokenizer import RULES, french, rules_from_spacy
from nlp.sentences import block_spans, pipeline


def test_the_kept_rules_are_the_installed_spacys():
    """Else regenerate them: ``python -m nlp.french_tokenizer``."""
    if not RULES.exists():
        pytest.skip(f"no French rules kept for spaCy {spacy.__version__}: {RULES.name}")
    assert RULES.read_bytes() == rules_from_spacy()


def test_the_french_article_splits_into_the_same_sentences(corpus):
    from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

    article = (
        corpus / "news" / "mbw-2023-12-sony-music-kooker-ai-insight-forum.fr.txt"
    ).read_text()
    full, light = spacy.blank("fr"), french()
    assert pipeline("fr").tokenizer.token_match is None or not RULES.exists()
    whole = block_spans([full(article)])[0]
    assert len(whole) > 50 and block_spans([light(article)]) == [whole]
    paragraphs = [p for p in article.split("\n") if p.strip()]
    assert block_spans([full(p) for p in paragraphs]) == block_spans([light(p) for p in paragraphs])
    # Only the words the expression keeps whole ("États-Unis") are split otherwise.
    kept = {t.text for t in full(article)} - {t.text for t in light(article)}
    assert kept and all(TOKEN_MATCH(word) for word in kept)
