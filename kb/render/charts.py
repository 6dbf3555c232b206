"""SVG charts drawn at build time (no scripts, nothing loaded from elsewhere)."""

from __future__ import annotations

from markupsafe import Markup

from kb.render.markup import esc

STANCE_COLOURS = {"supports": "#2e7d32", "mixed": "#f9a825", "opposes": "#c62828"}


def stance_bar(counts: dict[str, int], *, width: int = 600, label: str = "") -> Markup:
    """One horizontal bar split by stance share, with counts."""
    total = sum(counts.values())
    if not total:
        return Markup('<p class="kb-empty">No positions found yet.</p>')
    parts, x = [], 0.0
    for stance in ("supports", "mixed", "opposes"):
        n = counts.get(stance, 0)
        if not n:
            continue
        w = width * n / total
        parts.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="28" fill="{STANCE_COLOURS[stance]}">'
            f"<title>{stance}: {n}</title></rect>"
        )
        if w > 70:
            parts.append(
                f'<text x="{x + 6:.1f}" y="19" fill="#fff" font-size="13">'
                f"{stance} {n} ({100 * n / total:.0f} %)</text>"
            )
        x += w
    return Markup(
        f'<svg class="kb-chart" role="img" viewBox="0 0 {width} 28" width="100%" '
        f'aria-label="{esc(label)}">' + "".join(parts) + "</svg>"
    )


def volume_chart(series: list[tuple[str, int]], *, width: int = 700, height: int = 180) -> Markup:
    """Columns of counts per period (e.g. comments posted per day)."""
    if not series:
        return Markup('<p class="kb-empty">No dated documents.</p>')
    top = max(n for _, n in series) or 1
    bar = width / len(series)
    parts = []
    for i, (period, n) in enumerate(series):
        h = (height - 30) * n / top
        x = i * bar
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{height - 20 - h:.1f}" width="{max(bar - 2, 1):.1f}" '
            f'height="{h:.1f}" fill="#3949ab"><title>{esc(period)}: {n}</title></rect>'
        )
        if len(series) <= 12 or i in (0, len(series) - 1):
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - 5}" font-size="11" '
                f'text-anchor="middle">{esc(period)}</text>'
            )
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{max(height - 24 - h, 12):.1f}" font-size="11" '
                f'text-anchor="middle">{n}</text>'
            )
    return Markup(
        f'<svg class="kb-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'aria-label="volume over time">' + "".join(parts) + "</svg>"
    )
