"""Who filed a document, as canonical organisations with categories.

Sources, most trusted first: the ``organization`` field regulations.gov gives;
attachment file names ("Authors Guild Reply Comments…"); the letterhead and
signature block of the text ("Public Comments of Anthropic PBC", "on behalf of
the Recording Industry Association of America"). Aliases (UMG / Universal
Music Group) come from ``lexicon/organizations.toml``; an organisation's
initial and reply comments therefore resolve to the same id.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kb.legislation import slug
from nlp.filers import names_from_text

LEXICON = Path(__file__).with_name("lexicon") / "organizations.toml"
CATEGORIES = (
    "record_label",
    "music_publisher",
    "collecting_society",
    "trade_association",
    "union_guild",
    "news_publisher",
    "book_publisher_authors",
    "ai_developer",
    "technology_platform",
    "civil_society",
    "academic",
    "government",
    "individual",
    "other",
)
_CATEGORY_WORDS = (
    (
        re.compile(
            r"\buniversity|college|school of law|institute of technology|professor|faculty\b", re.I
        ),
        "academic",
    ),
    (re.compile(r"\bguild|union|federation of musicians|sag-aftra\b", re.I), "union_guild"),
    (
        re.compile(
            r"\bassociation|alliance|coalition|council|chamber|federation|society of\b", re.I
        ),
        "trade_association",
    ),
    (re.compile(r"\brecords\b|\blabel\b|\bmusic group\b", re.I), "record_label"),
    (re.compile(r"\bmusic publish", re.I), "music_publisher"),
    (re.compile(r"\bpublish|(?<!associated )\bpress\b|\bbooks\b", re.I), "book_publisher_authors"),
    (
        re.compile(
            r"\b(?:news\w*|times|post|journal|media|radio|broadcast\w*|associated press)\b", re.I
        ),
        "news_publisher",
    ),
    (
        re.compile(
            r"\bfoundation|project|center for|centre for|institute|initiative|commons\b"
            r"|\b(?:safety|policy|ethics|governance|campaign|camp)\b",
            re.I,
        ),
        "civil_society",
    ),
    (
        re.compile(r"\bdepartment|office of|agency|state of|government|commission\b", re.I),
        "government",
    ),
    (re.compile(r"\b(?:ai|a\.i\.)\b|\blabs?\b|intelligence", re.I), "ai_developer"),
    (
        re.compile(r"\binc\.?|llc|corp\.?|corporation|ltd\.?|company|technologies\b", re.I),
        "technology_platform",
    ),
)
_INDIVIDUAL_TITLE = re.compile(r"^Comment from (?P<last>[^,]+), (?P<first>.+)$")


@dataclass(frozen=True)
class Org:
    id: str
    name: str
    category: str
    aliases: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    reporter: bool = False


@dataclass
class Gazetteer:
    orgs: dict[str, Org]
    pattern: re.Pattern[str]
    by_alias: dict[str, str] = field(default_factory=dict)
    people: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def speakers(self, text: str) -> list[str]:
        """Organisations whose spokespeople the text names (they, not the orgs around them, speak)."""
        out = []
        for m in self.pattern.finditer(text):
            org = self.by_alias.get(m.group(0)) or self.by_alias.get(m.group(0).lower())
            if org and m.group(0) in self.people.get(org, ()):
                out.append(org)
        return out

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(org id, start, end) of every alias or spokesperson named in ``text``."""
        out = []
        for m in self.pattern.finditer(text):
            org = self.by_alias.get(m.group(0)) or self.by_alias.get(m.group(0).lower())
            if org:
                out.append((org, m.start(), m.end()))
        return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    raw = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    orgs = {}
    by_alias: dict[str, str] = {}
    alternatives = []
    for entry in raw["org"]:
        org = Org(
            entry["id"],
            entry["name"],
            entry["category"],
            tuple(entry.get("aliases", ())),
            tuple(entry.get("people", ())),
            bool(entry.get("reporter", False)),
        )
        orgs[org.id] = org
        for alias in (*org.aliases, *org.people):
            # Acronyms match as written; names match in any case.
            key = alias if alias.isupper() or len(alias) <= 4 else alias.lower()
            by_alias[key] = org.id
            alternatives.append((alias, alias.isupper() or len(alias) <= 4))
    alternatives.sort(key=lambda a: len(a[0]), reverse=True)
    parts = [re.escape(a) if exact else f"(?i:{re.escape(a)})" for a, exact in alternatives]
    pattern = re.compile(r"(?<![\w/])(?:" + "|".join(parts) + r")(?![\w/])")
    return Gazetteer(orgs, pattern, by_alias, {o.id: o.people for o in orgs.values()})


def guess_category(name: str) -> str:
    for pattern, category in _CATEGORY_WORDS:
        if pattern.search(name):
            return category
    return "other"


@dataclass(frozen=True)
class Filer:
    """The holder(s) of a filing's positions."""

    org_ids: tuple[str, ...]
    names: tuple[str, ...]
    category: str
    individual: bool


def _can_file(org_id: str) -> bool:
    """Publications report and agencies receive: neither files comments in a docket."""
    org = gazetteer().orgs[org_id]
    return not org.reporter and org.category != "government"


def _org_filer(ids: list[str]) -> Filer:
    gaz = gazetteer()
    ids = list(dict.fromkeys(i for i in ids if _can_file(i)))
    orgs = [gaz.orgs[i] for i in ids]
    return Filer(tuple(ids), tuple(o.name for o in orgs), orgs[0].category, False)


def _named(name: str) -> Filer:
    """A filer the text names: the gazetteer's organisation if it knows the name, else new."""
    found = [o for o, s, e in _can_file_in(name) if e - s >= 0.6 * len(name)]
    if found:
        return _org_filer(found[:1])
    return Filer(("org-" + slug(name),), (name,), guess_category(name), False)


def _joint(filers: list[Filer]) -> Filer:
    ids = tuple(dict.fromkeys(i for f in filers for i in f.org_ids))
    names = tuple(dict.fromkeys(n for f in filers for n in f.names))
    return Filer(ids, names, filers[0].category, False)


def resolve_filer(
    *,
    organization: str | None,
    title: str | None,
    submitter: str | None,
    attachment_titles: list[str],
    text: str,
    filer_type: str | None = None,
) -> Filer:
    """The filer(s): the upstream organisation field; else the names the filing gives
    itself (``nlp.filers``: title page, "on behalf of", opening sentence; only the
    explicit forms for a comment the upstream lists as a person's); else the
    attachment titles; else the person or "Anonymous" of the title."""
    gaz = gazetteer()
    if organization:
        in_field = _can_file_in(organization)
        if in_field:
            return _org_filer(_joint_filers(organization, in_field))
        return _named(organization.strip())
    person = filer_type in ("person", "anonymous")
    names = names_from_text(text, explicit_only=person)
    if person and names and len(names) == 1 and title and _same_person(names[0], title):
        names = []
    if names:
        return _joint([_named(n) for n in names])
    for att in attachment_titles:
        found = [o for o, _, _ in gaz.find(att.replace("_", " ")) if _can_file(o)]
        if found and not person:
            return _org_filer(found)
    display = None
    if title:
        named = _INDIVIDUAL_TITLE.match(title)
        if named:
            display = f"{named.group('first').strip()} {named.group('last').strip()}"
        elif filer_type == "anonymous" or title.strip() == "Comment from Anonymous":
            display = "Anonymous"
    return Filer((), (display or submitter or "Unidentified commenter",), "individual", True)


def _joint_filers(field: str, found: list[tuple[str, int, int]]) -> list[str]:
    """The organisations an organisation field names as its filers: the first one named,
    and each other named outside parentheses ("American Association of Independent Music
    (A2IM), Recording Academy, Recording Industry Association of America (RIAA)" is
    three filers; "Microsoft (including GitHub)" is one)."""
    out = [found[0][0]]
    for org, start, _ in found[1:]:
        if org not in out and field[:start].count("(") <= field[:start].count(")"):
            out.append(org)
    return out


def _can_file_in(name: str) -> list[tuple[str, int, int]]:
    """The gazetteer's organisations that can file, named in a filer's ``name``; not an
    alias that ends a longer name ("Library Copyright Alliance" is not the Copyright
    Alliance)."""
    return [
        (o, s, e)
        for o, s, e in gazetteer().find(name)
        if _can_file(o) and re.search(r"[A-Z][\w&.'-]*\s+$", name[:s]) is None
    ]


def _same_person(name: str, title: str) -> bool:
    named = _INDIVIDUAL_TITLE.match(title)
    return named is not None and named.group("last").strip().lower() in name.lower()
