"""Language of a text (lingua, restricted to the languages the debate is in)."""

from __future__ import annotations

from functools import lru_cache

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

LANGUAGES = {
    Language.ENGLISH: "en", Language.FRENCH: "fr", Language.GERMAN: "de",
    Language.SPANISH: "es", Language.ITALIAN: "it", Language.PORTUGUESE: "pt",
}
SAMPLE_CHARS = 1500


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*LANGUAGES).with_low_accuracy_mode().build()


def detect_language(text: str | None) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None when there is too little text."""
    if not text or len(text.strip()) < 20:
        return None
    sample = text[:SAMPLE_CHARS]
    found = detector().detect_language_of(sample)
    return LANGUAGES.get(found) if found is not None else None
