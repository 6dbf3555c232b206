"""Where things live and how the knowledge base is configured.

Locations follow ``CONTRACT.md``: ``--db`` / ``$KB_DB`` / ``kb.db``,
``--archive`` / ``$KB_ARCHIVE`` / ``archive/``, ``$KB_CORPUS`` /
``../shared/corpus`` relative to the project root. Secrets (API keys) are read
from the environment only when a fetch needs them and never stored.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kb.paths import PROJECT_ROOT

USER_AGENT = (
    "aicopyright-kb/0.1 (policy tracking knowledge base; "
    "+https://github.com/aicopyright-kb/aicopyright-kb)"
)

#: Environment variables that hold secrets; their values are redacted everywhere.
SECRET_ENV_VARS = ("REGULATIONS_GOV_API_KEY", "CONGRESS_GOV_API_KEY", "GOVINFO_API_KEY")


def default_db_path() -> Path:
    return Path(os.environ.get("KB_DB") or "kb.db")


def default_archive_dir() -> Path:
    return Path(os.environ.get("KB_ARCHIVE") or "archive")


def default_digest_dir() -> Path:
    """Where ``kb digest`` writes posts, e-mails and feeds (``$KB_DIGEST_DIR``, else digest/)."""
    return Path(os.environ.get("KB_DIGEST_DIR") or "digest")


def reviews_dir() -> Path:
    """Human reviews of positions, kept in git (``$KB_REVIEWS``, else data/reviews/)."""
    env = os.environ.get("KB_REVIEWS")
    return Path(env) if env else PROJECT_ROOT / "data" / "reviews"


#: Where a reader reports a wrong position: an issue form of the project's repository,
#: prefilled from the position (``$KB_CORRECTION_URL`` overrides it).
CORRECTION_URL = (
    "https://github.com/aicopyright-kb/aicopyright-kb/issues/new?template=position-correction.yml"
)


def correction_url() -> str:
    return os.environ.get("KB_CORRECTION_URL") or CORRECTION_URL


def corpus_dir() -> Path:
    """The recorded upstream corpus (``$KB_CORPUS``, else ``../shared/corpus``)."""
    env = os.environ.get("KB_CORPUS")
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "corpus"


#: The corpus's upstream folders, as the demo imports them.
CORPUS_FOLDERS = (
    "regulations.gov",
    "govinfo",
    "congress.gov-api-v3",
    "federalregister.gov",
    "news",
)


def corpus_paths(root: Path | None = None) -> list[Path]:
    """The recorded corpus's upstream folders under ``root`` (default :func:`corpus_dir`)."""
    root = root or corpus_dir()
    return [root / name for name in CORPUS_FOLDERS]


def secret_values() -> list[str]:
    """The secret values currently set in the environment (for redaction)."""
    return [v for k in SECRET_ENV_VARS if (v := os.environ.get(k)) and len(v) >= 4]


def tag_batch() -> int:
    """Documents ``kb tag`` stores per transaction (``$KB_TAG_BATCH``, default 400)."""
    return max(_env_int("KB_TAG_BATCH", 400), 1)


@dataclass(frozen=True)
class HostPolicy:
    """Rate budget for one upstream host: ``limit`` requests per ``window`` seconds."""

    limit: int
    window: float = 3600.0


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw and raw.isdigit() else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    try:
        return float(raw) if raw else default
    except ValueError:
        return default


@dataclass(frozen=True)
class FetchSettings:
    """Knobs of the one fetcher. Tests shrink timeouts and widen budgets."""

    connect_timeout: float = field(
        default_factory=lambda: _env_float("KB_HTTP_CONNECT_TIMEOUT", 10.0)
    )
    read_timeout: float = field(default_factory=lambda: _env_float("KB_HTTP_TIMEOUT", 60.0))
    retries: int = field(default_factory=lambda: _env_int("KB_HTTP_RETRIES", 5))
    backoff_factor: float = field(default_factory=lambda: _env_float("KB_HTTP_BACKOFF", 1.0))
    backoff_max: float = 120.0
    #: The longest pause a ``Retry-After`` header obtains (``$KB_HTTP_RETRY_AFTER_MAX``).
    retry_after_max: float = field(
        default_factory=lambda: _env_float("KB_HTTP_RETRY_AFTER_MAX", 300.0)
    )
    user_agent: str = USER_AGENT
    host_policies: dict[str, HostPolicy] = field(
        default_factory=lambda: {
            "api.regulations.gov": HostPolicy(_env_int("KB_REGULATIONS_GOV_RATE", 1000)),
            "downloads.regulations.gov": HostPolicy(_env_int("KB_REGULATIONS_GOV_RATE", 1000)),
            "api.congress.gov": HostPolicy(_env_int("KB_CONGRESS_GOV_RATE", 5000)),
        }
    )
    default_policy: HostPolicy = HostPolicy(limit=3600)


@dataclass(frozen=True)
class InputLimits:
    """Bounds on what one input file may cost; each has a setting to raise it."""

    #: Bytes a compressed file (``.gz``) may expand to (``$KB_MAX_DECOMPRESSED_MB``).
    decompressed: int = field(
        default_factory=lambda: _env_int("KB_MAX_DECOMPRESSED_MB", 256) * 1024 * 1024
    )
    #: Bytes the members of a DOCX may declare, all together (``$KB_MAX_DOCX_MB``).
    docx_xml: int = field(default_factory=lambda: _env_int("KB_MAX_DOCX_MB", 64) * 1024 * 1024)
    #: Pages of a PDF (``$KB_MAX_PAGES``).
    pages: int = field(default_factory=lambda: _env_int("KB_MAX_PAGES", 3000))
    #: Bytes a PDF's page content streams may inflate to (``$KB_MAX_PDF_STREAM_MB``).
    pdf_stream: int = field(
        default_factory=lambda: _env_int("KB_MAX_PDF_STREAM_MB", 128) * 1024 * 1024
    )
    #: Bytes a file may have before it is read (``$KB_MAX_FILE_MB``).
    file_size: int = field(default_factory=lambda: _env_int("KB_MAX_FILE_MB", 512) * 1024 * 1024)
