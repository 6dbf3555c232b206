"""What the reply graph (``nlp.replies``, pure) is given from the database: the names
the docket's filers filed under, the organisations a filing is by, and the relation
model fitted on the labelled replies of ``nlp.answers_eval.FIT``."""

from __future__ import annotations

import json

from sqlite_utils import Database

from nlp.organizations import gazetteer
from nlp.replies import docket_names, mention_at
from nlp.reply_relations import RelationModel, fit_relations


def filer_names(db: Database) -> tuple[tuple[str, str], ...]:
    """``docket_names`` of every organisation the database holds and of every name a
    comment was filed under (regulations.gov's organisation field, which the importer
    resolved to the filing's ``org_ids``): a reply cites the initial commenters by the
    names they filed under ("Library Copyright Alliance", "LCA")."""
    pairs = [(n, i) for n, i in db.execute("select name, id from organizations") if n]
    for name, ids in db.execute(
        "select organization, org_ids from documents where kind = 'comment' "
        "and organization is not null and organization != '' and org_ids is not null"
    ):
        first = json.loads(ids)[:1]
        if first:
            pairs.append((name, first[0]))
    return docket_names(pairs)


def own_parties(org_ids: str | None, organization: str | None) -> list[str]:
    """The organisations a filing is by: its resolved ``org_ids`` and every organisation
    of the gazetteer its filer field names (a joint reply of A2IM, the Recording Academy
    and the RIAA answers none of the three)."""
    own = json.loads(org_ids) if org_ids else []
    named = [o for o, _, _ in gazetteer().find(organization or "")]
    return list(dict.fromkeys([*own, *named]))


#: The categories of the gazetteer that stand for rightsholders, and for the users of
#: works (developers and platforms), when no tagged position says.
_RIGHTS = {
    "record_label",
    "music_publisher",
    "collecting_society",
    "union_guild",
    "news_publisher",
    "book_publisher_authors",
}
_USE = {"ai_developer", "technology_platform"}
#: Positions that put a filer on the users' side (+) or the rightsholders' (−).
_LEANING = {
    ("training_fair_use", "supports"): 1,
    ("training_fair_use", "opposes"): -1,
    ("consent_required", "opposes"): 1,
    ("consent_required", "supports"): -1,
}


def party_sides(db: Database) -> dict[str, str]:
    """The side, "rights" or "use", of each organisation whose side is known: the sum of its
    filings' tagged positions on training as fair use and on consent (weighted by
    confidence), else the gazetteer's category."""
    sides = {
        o.id: "rights" if o.category in _RIGHTS else "use"
        for o in gazetteer().orgs.values()
        if o.category in _RIGHTS | _USE
    }
    lean: dict[str, float] = {}
    for ids, organization, issue, stance, confidence in db.execute(
        "select d.org_ids, d.organization, p.issue, p.stance, p.confidence from positions p "
        "join documents d on d.id = p.document_id where d.org_ids is not null"
    ):
        sign = _LEANING.get((issue, stance), 0)
        for org in own_parties(ids, organization):
            lean[org] = lean.get(org, 0.0) + sign * (confidence or 0.0)
    sides |= {o: "use" if v > 0 else "rights" for o, v in lean.items() if v}
    return sides


def relation_model(db: Database, names: tuple[tuple[str, str], ...]) -> RelationModel | None:
    """The relation model fitted on the labelled mentions of the FIT replies (None if
    they are not in the database)."""
    from nlp.answers_eval import FIT, read_labels
    from nlp.replies_eval import party_id
    from nlp.sentences import split_sentences

    examples = []
    for rec in read_labels():
        if rec.id not in FIT or not rec.mentions:
            continue
        row = db.execute(
            "select text, pages, language, org_ids, organization from documents where id = ?",
            [rec.id],
        ).fetchone()
        if row is None or not row[0]:
            continue
        text, pages, lang, ids, organization = row
        sentences = split_sentences(text, lang or "en", json.loads(pages) if pages else None)
        at = {s.start: k for k, s in enumerate(sentences)}
        own = own_parties(ids, organization)
        for m in rec.mentions:
            if m.start in at:
                party = party_id(m.party, names) or "?"
                examples.append(
                    (mention_at(text, sentences, at[m.start], party, own, names), m.relation)
                )
    return fit_relations(examples, party_sides(db))
