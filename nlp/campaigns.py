"""Form-letter campaigns: near-duplicate comments clustered with MinHash LSH.

Shingles are 5-word windows of the comment body (lower-cased, punctuation
dropped); pairs over the Jaccard threshold join a campaign (union-find), so
light personal edits (a name, a sentence added) stay in while different
letters on the same theme do not merge. The template is the member closest
to all others (the most central text), ties to the earliest id.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
THRESHOLD = 0.6
SHINGLE = 5
MIN_WORDS = 25
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Campaign:
    id: str
    template: str
    members: tuple[str, ...]


def shingles(text: str) -> set[bytes]:
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + SHINGLE]).encode() for i in range(len(words) - SHINGLE + 1)}


def _hash(shingle: bytes) -> int:
    """A fast, stable 32-bit hash (the same in every process and run)."""
    return zlib.crc32(shingle)


def find_campaigns(bodies: dict[str, str], *, min_size: int = 2) -> list[Campaign]:
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    sigs: dict[str, MinHash] = {}
    sets: dict[str, set[bytes]] = {}
    first = MinHash(num_perm=NUM_PERM, seed=1)
    permutations, scheme = first.permutations, first.scheme
    for doc_id, body in sorted(bodies.items()):
        sh = shingles(body)
        if len(sh) < MIN_WORDS - SHINGLE:
            continue
        m = MinHash(
            num_perm=NUM_PERM, seed=1, hashfunc=_hash, permutations=permutations, scheme=scheme
        )
        m.update_batch(list(sh))
        sigs[doc_id], sets[doc_id] = m, sh
        lsh.insert(doc_id, m)
    parent = {d: d for d in sigs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for doc_id, m in sigs.items():
        for other in lsh.query(m):
            if other != doc_id and find(other) != find(doc_id):
                a, b = sets[doc_id], sets[other]
                if len(a & b) / len(a | b) >= THRESHOLD:
                    parent[find(doc_id)] = find(other)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sigs:
        groups[find(doc_id)].append(doc_id)
    out = []
    for members in groups.values():
        if len(members) < min_size:
            continue
        members.sort()
        sample = members[:60]

        def centrality(d: str, sample: list[str] = sample) -> float:
            return sum(len(sets[d] & sets[o]) / len(sets[d] | sets[o]) for o in sample if o != d)

        template = max(members[:200], key=lambda d: (centrality(d), -members.index(d)))
        out.append(Campaign(f"campaign-{template}", template, tuple(members)))
    return sorted(out, key=lambda c: (-len(c.members), c.id))
