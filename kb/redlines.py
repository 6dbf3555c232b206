"""Redlines between versions of a bill, and across a bill family: which pairs of text
versions follow one another, and a section-by-section word-level comparison of two texts
with a summary of the sections added, removed and changed. Pure: text in, data out."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kb.legislation import Redline, bill_label, redline

#: A section heading line of GovInfo bill text: ``SECTION 1.`` / ``SEC. 2.`` / ``SEC. 3A.``
_SECTION = re.compile(r"^(?:SECTION|SEC\.)\s+(\d+[A-Za-z]*)\.\s*(.*)$", re.M)


@dataclass(frozen=True)
class Section:
    number: str  # "" for the text before the first section (title, enacting clause)
    heading: str
    text: str

    @property
    def label(self) -> str:
        if not self.number:
            return "Preamble (title and enacting clause)"
        return f"Sec. {self.number}. {self.heading}".strip()


def split_sections(text: str) -> list[Section]:
    """A bill text cut at its section headings; the heading is the line after ``SEC. N.``
    (GovInfo text puts it on its own line) or the rest of the same line."""
    marks = list(_SECTION.finditer(text))
    out = []
    if not marks or marks[0].start() > 0:
        head = text[: marks[0].start() if marks else len(text)]
        if head.strip():
            out.append(Section("", "", head))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.start() : end]
        heading = m[2].strip()
        if not heading:
            rest = text[m.end() : end].lstrip("\n").split("\n", 1)[0]
            heading = rest.strip()
        out.append(Section(m[1], heading.rstrip("."), body))
    return out


def _key(heading: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", heading.lower()))


@dataclass(frozen=True)
class SectionChange:
    status: str  # "added", "removed", "changed", "unchanged"
    before: Section | None
    after: Section | None
    diff: Redline | None

    @property
    def label(self) -> str:
        after, before = self.after, self.before
        if after and before and _key(after.label) != _key(before.label):
            return f"{before.label} → {after.label}"
        return (after or before).label  # type: ignore[union-attr]


@dataclass
class SectionRedline:
    changes: list[SectionChange] = field(default_factory=list)

    def of(self, status: str) -> list[SectionChange]:
        return [c for c in self.changes if c.status == status]

    @property
    def inserted(self) -> int:
        return sum(c.diff.inserted for c in self.changes if c.diff)

    @property
    def deleted(self) -> int:
        return sum(c.diff.deleted for c in self.changes if c.diff)

    def summary(self) -> str:
        parts = [
            f"{len(self.of(s))} sections {s}"
            for s in ("added", "removed", "changed", "unchanged")
            if self.of(s)
        ]
        return "; ".join(parts) + f" (+{self.inserted} / −{self.deleted} words)"


def _match(before: Sequence[Section], after: Sequence[Section]) -> dict[int, int]:
    """after index → before index: the same heading first, then the same number."""
    matched: dict[int, int] = {}
    by_heading: dict[str, list[int]] = {}
    for i, s in enumerate(before):
        by_heading.setdefault(_key(s.heading), []).append(i)
    for j, s in enumerate(after):
        same = [i for i in by_heading.get(_key(s.heading), []) if i not in matched.values()]
        if same:
            matched[j] = min(same, key=lambda i: before[i].number != s.number)
    for j, s in enumerate(after):
        if j in matched:
            continue
        for i, b in enumerate(before):
            if b.number == s.number and i not in matched.values():
                matched[j] = i
                break
    return matched


def section_redline(before: str, after: str) -> SectionRedline:
    """Section-by-section redline of ``before`` → ``after``, in the order of ``after`` with
    each removed section where it stood."""
    a, b = split_sections(before), split_sections(after)
    matched = _match(a, b)
    used = set(matched.values())
    out = SectionRedline()
    shown = -1
    for j, sec in enumerate(b):
        i = matched.get(j)
        if i is not None:
            for k in range(shown + 1, i):
                if k not in used:
                    out.changes.append(SectionChange("removed", a[k], None, redline(a[k].text, "")))
            shown = max(shown, i)
            diff = redline(a[i].text, sec.text)
            status = "changed" if diff.inserted or diff.deleted else "unchanged"
            out.changes.append(SectionChange(status, a[i], sec, diff))
        else:
            out.changes.append(SectionChange("added", None, sec, redline("", sec.text)))
    for k in range(shown + 1, len(a)):
        if k not in used:
            out.changes.append(SectionChange("removed", a[k], None, redline(a[k].text, "")))
    return out


@dataclass(frozen=True)
class Version:
    """One text version of a bill, its text when stored (else None)."""

    bill: str
    code: str
    name: str | None
    date: str | None
    url: str | None
    text: str | None = None

    @property
    def label(self) -> str:
        return f"{bill_label(self.bill, with_congress=True)} {self.code.upper()}"

    @property
    def key(self) -> str:
        return f"{self.bill}-{self.code}"


@dataclass(frozen=True)
class Pair:
    before: Version
    after: Version
    #: "version" (consecutive versions of a family's lineage) or "amendment" (a committee
    #: amendment inside one version: the text before it → the text as amended)
    kind: str = "version"

    @property
    def slug(self) -> str:
        if self.kind == "amendment":
            return f"redline-{self.after.key}-amendment"
        return f"redline-{self.before.key}-{self.after.key}"

    @property
    def title(self) -> str:
        if self.kind == "amendment":
            return f"{self.after.label}: before the committee amendment → as amended"
        return f"{self.before.label} → {self.after.label}"

    @property
    def missing(self) -> list[Version]:
        return [v for v in (self.before, self.after) if v.text is None]

    def involves(self, bill: str) -> bool:
        return bill in (self.before.bill, self.after.bill)


def _chamber(bill: str) -> str:
    return bill.split("-")[1][0]  # "s…" Senate, "h…" House


def version_pairs(families: dict[str, list[str]], versions: dict[str, list[Version]]) -> list[Pair]:
    """Consecutive versions along each family's lineage in each chamber (a reintroduction
    follows the last version of the earlier bill: S.1367 IS → S.4591 IS → S.4591 RS), in
    date order; a bill with no family is its own lineage."""
    pairs = []
    seen: set[str] = set()
    for members in families.values():
        seen.update(members)
        for chamber in sorted({_chamber(b) for b in members}):
            line = sorted(
                (v for b in members if _chamber(b) == chamber for v in versions.get(b, [])),
                key=lambda v: (v.date or "", v.bill.split("-")[0], v.bill),
            )
            pairs += [Pair(x, y) for x, y in itertools.pairwise(line)]
    for bill, vs in versions.items():
        if bill not in seen:
            line = sorted(vs, key=lambda v: v.date or "")
            pairs += [Pair(x, y) for x, y in itertools.pairwise(line)]
    return pairs


def pairs_for(pairs: Iterable[Pair], bill: str) -> list[Pair]:
    return [p for p in pairs if p.involves(bill)]
