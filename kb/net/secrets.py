"""Keeping API keys out of everything we write: archive, logs, database, site."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from kb.settings import secret_values

REDACTED = "REDACTED"
#: Query parameters and headers that carry credentials, lower case.
SECRET_PARAMS = frozenset({"api_key", "apikey", "key", "token", "access_token"})
SECRET_HEADERS = frozenset({"x-api-key", "authorization", "cookie", "set-cookie", "api-key"})


def redact_url(url: str) -> str:
    """Return ``url`` with every credential query parameter replaced."""
    parts = urlsplit(url)
    if not parts.query:
        return redact_text(url)
    query = [
        (k, REDACTED if k.lower() in SECRET_PARAMS else v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return redact_text(urlunsplit(parts._replace(query=urlencode(query, safe="[]:,"))))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        k: (REDACTED if k.lower() in SECRET_HEADERS else redact_text(str(v)))
        for k, v in headers.items()
    }


def redact_text(text: str, extra: Iterable[str] = ()) -> str:
    """Remove every known secret value (and ``api_key=...`` pairs) from free text."""
    for secret in [*secret_values(), *extra]:
        if secret:
            text = text.replace(secret, REDACTED)
    return re.sub(r"(?i)(api_key=)[^&\s'\"]+", r"\1" + REDACTED, text)
