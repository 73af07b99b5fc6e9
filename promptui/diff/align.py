"""Sequence alignment: LCS opcodes over hashable items, fast on large inputs (rapidfuzz)."""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter

from rapidfuzz.distance import Indel

# Token alignments larger than this (tokens x tokens) are first split at unique anchors.
_DIRECT_MAX_CELLS = 300_000_000


def _to_ids(a: list, b: list) -> tuple[list[int], list[int]]:
    """Map hashable items of both lists to small ints (faster for rapidfuzz)."""
    ids: dict = {}
    setdefault = ids.setdefault
    ia = [setdefault(x, len(ids)) for x in a]
    ib = [setdefault(x, len(ids)) for x in b]
    return ia, ib


def opcodes(a: list, b: list) -> list[tuple[str, int, int, int, int]]:
    """Opcodes between two lists of hashable items: "equal" blocks of an LCS alignment and
    "change" gaps between them (each gap may be delete-only or insert-only)."""
    ia, ib = _to_ids(a, b)
    blocks: list[tuple[int, int, int]] = []
    _match(ia, 0, len(ia), ib, 0, len(ib), blocks)
    out: list[tuple[str, int, int, int, int]] = []
    i0 = j0 = 0
    for i, j, size in blocks:
        if i0 < i or j0 < j:
            out.append(("change", i0, i, j0, j))
        if out and out[-1][0] == "equal" and out[-1][2] == i and out[-1][4] == j:
            out[-1] = ("equal", out[-1][1], i + size, out[-1][3], j + size)
        else:
            out.append(("equal", i, i + size, j, j + size))
        i0, j0 = i + size, j + size
    if i0 < len(ia) or j0 < len(ib):
        out.append(("change", i0, len(ia), j0, len(ib)))
    return out


def _common_prefix(a: list[int], b: list[int]) -> int:
    """Length of the common prefix (binary search on slice equality, done in C)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _match(a: list[int], a0: int, a1: int, b: list[int], b0: int, b1: int, blocks: list) -> None:
    """Append matching blocks ``(i, j, size)`` of ``a[a0:a1]`` and ``b[b0:b1]`` in order.

    Small problems use rapidfuzz's bit-parallel LCS directly. Large ones are first split
    at tokens that occur exactly once on each side (patience diff anchors); a large region
    without any anchor is left unmatched rather than spending seconds on it.
    """
    n, m = a1 - a0, b1 - b0
    if n == 0 or m == 0:
        return
    if n * m <= _DIRECT_MAX_CELLS:
        for tag, i1, i2, j1, _ in Indel.opcodes(a[a0:a1], b[b0:b1]).as_list():
            if tag == "equal":
                blocks.append((a0 + i1, b0 + j1, i2 - i1))
        return
    p = _common_prefix(a[a0:a1], b[b0:b1])
    if p:
        blocks.append((a0, b0, p))
        a0, b0 = a0 + p, b0 + p
    s = _common_prefix(a[a0:a1][::-1], b[b0:b1][::-1])
    a1, b1 = a1 - s, b1 - s
    if p or s:
        _match(a, a0, a1, b, b0, b1, blocks)
    else:
        count_a = Counter(a[a0:a1])
        count_b = Counter(b[b0:b1])
        pos_b = {x: j for j, x in enumerate(b[b0:b1], b0) if count_b[x] == 1}
        pairs = [
            (i, pos_b[x]) for i, x in enumerate(a[a0:a1], a0) if count_a[x] == 1 and x in pos_b
        ]
        prev_a, prev_b = a0, b0
        for i, j in _longest_increasing(pairs):
            _match(a, prev_a, i, b, prev_b, j, blocks)
            blocks.append((i, j, 1))
            prev_a, prev_b = i + 1, j + 1
        if prev_a != a0 or prev_b != b0:
            _match(a, prev_a, a1, b, prev_b, b1, blocks)
    if s:
        blocks.append((a1, b1, s))


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of (i, j) pairs (sorted by i) with increasing j (patience sort)."""
    tails: list[int] = []  # j of the last pair of the best chain of each length
    tail_idx: list[int] = []
    back: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        back.append(tail_idx[pos - 1] if pos else -1)
        if pos == len(tails):
            tails.append(j)
            tail_idx.append(k)
        else:
            tails[pos] = j
            tail_idx[pos] = k
    out: list[tuple[int, int]] = []
    k = tail_idx[-1] if tail_idx else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    out.reverse()
    return out
