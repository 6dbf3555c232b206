"""When a docket sync's watermark moves (for ``scrapers.regulations_gov.sync``)."""

from __future__ import annotations

from collections.abc import Sequence

from kb.errors import ExtractionError, KbError


def watermark_after(
    errors: Sequence[KbError], max_seen: str | None, since: str | None
) -> tuple[str, str | None]:
    """A finished sync's status and new watermark, given its errors and the newest listing."""
    status = "ok" if not errors else "partial"
    # The watermark only moves when every listed record was handled.
    new_mark = (
        max_seen
        if status == "ok"
        or all(isinstance(e, ExtractionError) or "download failed" in str(e) for e in errors)
        else since
    )
    return status, new_mark
