"""Campaign names and variations on real form letters of the recorded docket."""

from __future__ import annotations

import gzip
import html
import json

import pytest

from kb.render.campaigns import campaign_name
from nlp.campaigns import campaign_sponsor, letter_body, opening_line, variation

WGA = [f"COLC-2023-0006-{n}" for n in range(7710, 7730)]
OTHER = "COLC-2023-0006-8613"  # names OpenAI, but as the subject of the letter


@pytest.fixture(scope="module")
def letters(colc):
    wanted = {*WGA, OTHER}
    out = {}
    with gzip.open(colc / "comment-text.jsonl.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            if row["id"] in wanted:
                out[row["id"]] = html.unescape(row["comment"].replace("<br/>", "\n"))
    return out


def test_the_writers_guild_letter_is_named_after_its_sponsor(letters):
    members = [letters[i] for i in WGA]
    sponsor = campaign_sponsor(members[0], members)
    assert sponsor == "Writers Guild of America"
    assert campaign_name(sponsor, opening_line(members[0]), WGA[0]) == (
        "Writers Guild of America letter"
    )
    # A letter about an organisation is not its letter.
    assert campaign_sponsor(letters[OTHER], [letters[OTHER]]) is None
    # Half the letters must name the sponsor too.
    assert campaign_sponsor(members[0], [letters[OTHER]] * 3) is None


def test_other_letters_are_named_by_their_opening_line(letters):
    opening = opening_line(letters[OTHER])  # after its greeting, "Hello."
    assert opening.startswith("I'm writing to inform you about a company")
    assert campaign_name(None, opening, OTHER) == f"Form letter: {opening}"
    assert opening_line("Dear U.S. Copyright Office,\n\nThe U.S. Congress must act. Now.") == (
        "The U.S. Congress must act."
    )
    assert opening_line("Re: AI\nHi, I am an artist. More.") == "I am an artist."
    assert campaign_name(None, "", OTHER) == f"Form letter ({OTHER})"


def test_copies_differ_by_signature_or_by_words(letters):
    template = letters[WGA[0]]
    assert "Sincerely" in template and "Sincerely" not in letter_body(template)
    results = [variation(i, template, letters[i]) for i in WGA]
    assert results[0].exact and results[0].inserted == results[0].deleted == 0
    exact = [v for v in results if v.exact]
    edited = [v for v in results if not v.exact]
    assert exact and edited  # most only sign their name; some edit the letter
    for v in edited:
        assert v.inserted + v.deleted > 0
        if v.inserted:
            assert (
                v.added
                and " ".join(v.added.split()).lower()
                in " ".join(letters[v.document_id].split()).lower()
            )
