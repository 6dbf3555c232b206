"""Question pages (each Notice question with every filer's answer), the answers and
replies sections of filing and organisation pages, and the reply graph's picture (pure:
rows in, HTML out)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from kb.render.issues import issue_name
from kb.render.markup import (
    block,
    category_label,
    display_quote,
    esc,
    link,
    page_head,
    stance_badge,
    table,
)

Row = dict[str, Any]
RELATION = {"rebut": "rebuts", "agree": "agrees with", "cite": "cites"}
COLOURS = {"rebut": "#c62828", "agree": "#2e7d32", "cite": "#757575"}


def passage_href(prefix: str, doc_id: str, excerpt: str) -> str:
    """A link to the filing that scrolls to the passage (a text fragment of its first
    words). The words are those of the passage's first line that has any: the filing
    page shows the text's line breaks, and a fragment never matches across one. A
    text fragment's own signs ("-", "&", ",") are percent-encoded in it."""
    lines = [ln for ln in excerpt.split("\n") if ln.strip()]
    if not lines:
        return f"{prefix}filings/{doc_id}/"
    # A short first line ("Question 8") is often found earlier in the filing too: the
    # fragment then runs to the first words of the next line (a start and an end).
    parts = (
        [_first_words(lines[0], 6)]
        if len(lines[0].split()) >= 4 or len(lines) == 1
        else [_first_words(lines[0], 6), _first_words(lines[1], 4)]
    )
    fragment = ",".join(quote(w, safe="").replace("-", "%2D") for w in parts)
    return f"{prefix}filings/{doc_id}/#:~:text={fragment}"


def _first_words(line: str, n: int) -> str:
    """The first ``n`` words of ``line`` with the spaces between them as they are: the
    filing page keeps runs of spaces ("6.1.  I do not …"), and a fragment must match
    them."""
    found = re.match(rf"\s*((?:\S+\s+){{0,{n - 1}}}\S+)", line)
    return found.group(1) if found else line.strip()


def render_question_index(questions: Sequence[Row], counts: dict[str, int]) -> str:
    """Every question of the Notice by heading, with how many filings answer it."""
    parts = [
        '<p class="kb-lede">The Copyright Office\'s Notice of Inquiry asked '
        f"{sum(1 for q in questions if not q['parent'])} numbered questions "
        f"({len(questions)} with their sub-questions). Each page lists every filing that "
        "answers the question: by its own numbering, or where its text is most like the "
        "question's (see the Accuracy page for how often that is right).</p>"
    ]
    group = None
    rows: list[list[object]] = []
    for q in questions:
        if q["grp"] != group:
            if rows:
                parts.append(table(["Question", "Answers", ""], rows))
            group, rows = q["grp"], []
            parts.append(f"<h2>{esc(group)}</h2>")
        rows.append(
            [
                link(f"{q['number']}/", q["number"]),
                counts.get(q["number"], 0),
                display_quote(q["text"], 160),
            ]
        )
    if rows:
        parts.append(table(["Question", "Answers", ""], rows))
    return page_head("Questions of the Notice") + block("\n".join(parts)) + "\n"


def _answer_row(row: Row, issues: Sequence[str]) -> str:
    stances = []
    for issue in issues:
        found = row["stances"].get(issue)
        stances.append(
            Markup('<td data-sort="{0}">{1}</td>').format(
                found or "",
                stance_badge(found)
                if found
                else Markup('<span title="no position found on this issue">—</span>'),
            )
        )
    return str(
        Markup(
            '<tr data-category="{0}"><td><a href="{1}">{2}</a></td><td>{0}</td><td>{3}</td>'
            "{4}<td>{5}</td><td>{6}</td></tr>"
        ).format(
            category_label(row["category"]),
            row["href"],
            row["filer"],
            row["round"],
            Markup("".join(map(str, stances))),
            display_quote(row["excerpt"], 300),
            "its numbering" if row["how"] == "numbered" else "similar wording",
        )
    )


def render_question(
    q: Row, parent: Row | None, subs: Sequence[Row], rows: Sequence[Row], issues: Sequence[str]
) -> str:
    """One question: the Notice's text, the issues it bears on, every filer's answer with its
    first sentences and the filer's stance on those issues, filterable by category."""
    title = f"Question {q['number']}"
    parts = [f'<p class="kb-lede">{esc(q["grp"])}</p>']
    if parent:
        parts.append(
            f"<p>Part of {link('../' + parent['number'] + '/', 'question ' + parent['number'])}: "
            f"{esc(display_quote(parent['text'], 300))}</p>"
        )
    parts.append(f"<blockquote>{esc(display_quote(q['text'], len(q['text']) + 1))}</blockquote>")
    if subs:
        parts.append(
            "<p>Sub-questions: "
            + ", ".join(str(link("../" + s["number"] + "/", s["number"])) for s in subs)
            + "</p>"
        )
    if issues:
        parts.append(
            "<p>Bears on: "
            + ", ".join(str(link(f"../../issues/{i}/", issue_name(i))) for i in issues)
            + " (the stance columns are each filer's position on these issues).</p>"
        )
    categories = sorted({category_label(r["category"]) for r in rows})
    options = "".join(f'<option value="{esc(c)}">{esc(c)}</option>' for c in categories)
    head = "".join(f"<th>{esc(issue_name(i))}</th>" for i in issues)
    parts += [
        f"<h2>Answers ({len(rows)})</h2>",
        '<label class="kb-matrix-filter">Category <select id="kb-filter-category">'
        f'<option value="">every category</option>{options}</select></label> '
        f'<span id="kb-filter-count">{len(rows)} answers</span>',
        '<table class="kb kb-answers" id="kb-filter-table"><thead><tr><th>Filed by</th>'
        f"<th>Category</th><th>Round</th>{head}<th>The answer begins</th><th>Found by</th>"
        "</tr></thead><tbody>"
        + "\n".join(_answer_row(r, issues) for r in rows)
        + "</tbody></table>",
        '<script src="../../javascripts/filter.js"></script>',
    ]
    if not rows:
        parts.append("<p>No filing in this knowledge base answers this question.</p>")
    return page_head(title) + block("\n".join(parts)) + "\n"


def relation_caution(accuracy: float | None) -> str:
    """What a reader must know before trusting "rebuts" or "agrees with", as measured."""
    if accuracy is None:
        return ""
    return (
        f"<p>Whether a sentence rebuts, agrees with or only cites a commenter is right for "
        f"{accuracy:.0%} of the labelled sentences ({link('../../about/accuracy/', 'Accuracy')}): "
        "read the sentence before relying on it.</p>"
    )


def filing_sections(
    answers: Sequence[Row], out: Sequence[Row], into: Sequence[Row], caution: str = ""
) -> str:
    """A filing page's "Answers to the Notice" and "Replies" sections (``caution``:
    ``relation_caution``, under the first)."""
    parts = []
    if answers:
        numbers = sorted({a["question"] for a in answers}, key=_order)
        how = {a["how"] for a in answers}
        parts.append(
            "<h2>Answers to the Notice's questions</h2><p>"
            + ", ".join(str(link(f"../../questions/{n}/", n)) for n in numbers)
            + "</p><p>"
            + (
                "Found by the filing's own numbering."
                if how == {"numbered"}
                else "Found by wording similar to the questions' (the filing numbers none)."
            )
            + "</p>"
        )
    if out:
        parts.append(
            "<h2>Replies to</h2>"
            + caution
            + table(
                ["Commenter", "How", "Sentence"],
                [
                    [
                        link(
                            f"../../organizations/{r['target']}/", r["target_name"] or r["target"]
                        ),
                        RELATION[r["relation"]],
                        display_quote(r["sentence"], 240),
                    ]
                    for r in out
                ],
            )
        )
    if into:
        parts.append(
            "<h2>Replied to by</h2>"
            + ("" if out else caution)
            + table(
                ["Filing", "Filed by", "How", "Sentence"],
                [
                    [
                        link(f"../{r['document_id']}/", r["document_id"]),
                        r["filer"],
                        RELATION[r["relation"]],
                        display_quote(r["sentence"], 240),
                    ]
                    for r in into
                ],
            )
        )
    return "\n".join(parts)


def organization_section(rebuts: Sequence[Row], rebutted: Sequence[Row], caution: str = "") -> str:
    """Whom an organisation's filings answer, and who answers them."""
    if not rebuts and not rebutted:
        return ""

    def rows(items: Sequence[Row], key: str, name: str) -> list[list[object]]:
        counted: dict[tuple[str, str], list[Row]] = {}
        for r in items:
            counted.setdefault((r[key], r["relation"]), []).append(r)
        return [
            [
                link(f"../{org}/", group[0][name] or org),
                RELATION[rel],
                len(group),
                link(f"../../filings/{group[0]['document_id']}/", group[0]["document_id"]),
            ]
            for (org, rel), group in sorted(counted.items(), key=lambda kv: -len(kv[1]))
        ]

    parts = ["<h2>Replies</h2>" + caution]
    if rebuts:
        parts.append(
            "<h3>Its filings answer</h3>"
            + table(["Commenter", "How", "Sentences", "In"], rows(rebuts, "target", "target_name"))
        )
    if rebutted:
        parts.append(
            "<h3>Answered by</h3>"
            + table(
                ["Commenter", "How", "Sentences", "In"], rows(rebutted, "source", "source_name")
            )
        )
    return block("\n".join(parts))


def _edge_lines(
    edges: Sequence[tuple[str, str, str, str, str, int]],
    ys: dict[str, float],
    yt: dict[str, float],
    left: int,
    right: int,
) -> list[str]:
    """One SVG line per edge, coloured by relation, thicker the more sentences it has."""
    out = []
    for source, _, target, _, relation, n in edges:
        out.append(
            str(
                Markup(
                    '<line x1="{0}" y1="{1:.0f}" x2="{2}" y2="{3:.0f}" stroke="{4}" '
                    'stroke-width="{5:.1f}" stroke-opacity="0.6"><title>{6}</title></line>'
                ).format(
                    left + 5,
                    ys[source],
                    right - 5,
                    yt[target],
                    COLOURS[relation],
                    1 + math.log2(n),
                    f"{relation} × {n}",
                )
            )
        )
    return out


def reply_graph_svg(edges: Sequence[tuple[str, str, str, str, str, int]], prefix: str) -> str:
    """The reply graph as an SVG picture: edges (source id, source name, target id, target
    name, relation, sentences) as lines between two columns, the organisations whose
    filings name others on the left, those they name on the right."""
    if not edges:
        return "<p>No filing in this docket names another commenter.</p>"
    sources = sorted({(e[0], e[1]) for e in edges}, key=lambda s: s[1])
    targets = sorted({(e[2], e[3]) for e in edges}, key=lambda t: t[1])
    row = 22
    width, left, right = 860, 330, 530
    slots = max(len(sources), len(targets))

    def spread(names: Sequence[tuple[str, str]]) -> dict[str, float]:
        """Each name in the middle of its share of the picture's height: both columns
        span the same height, the shorter one spaced out."""
        step = row * slots / len(names)
        return {oid: 20 + (k + 0.5) * step for k, (oid, _) in enumerate(names)}

    ys, yt = spread(sources), spread(targets)
    height = int(20 + row * slots + 20)
    out = [
        f'<svg class="kb-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="Who answers whom in this docket">'
    ]
    out += _edge_lines(edges, ys, yt, left, right)
    for names, x, ypos, anchor in (
        (sources, left - 6, ys, "end"),
        (targets, right + 6, yt, "start"),
    ):
        for oid, name in names:
            out.append(
                str(
                    Markup(
                        '<a href="{0}organizations/{1}/"><text x="{2}" y="{3:.0f}" '
                        'text-anchor="{4}" font-size="12" dominant-baseline="middle">'
                        "<title>{5}</title>{6}</text></a>"
                    ).format(prefix, oid, x, ypos[oid], anchor, name, _short(name, 48))
                )
            )
    legend = " ".join(
        f'<span style="color:{c}">■</span> {esc(RELATION[r])}' for r, c in COLOURS.items()
    )
    return "".join(out) + "</svg>" + f'<p class="kb-graph-legend">{legend}</p>'


def _short(name: str, limit: int) -> str:
    """A name cut at a word boundary with an ellipsis when longer than ``limit``."""
    if len(name) <= limit:
        return name
    cut = name.rfind(" ", 0, limit - 1)
    return name[: cut if cut > limit // 2 else limit - 1] + "…"


def _order(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))
