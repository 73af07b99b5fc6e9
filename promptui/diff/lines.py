"""Line-level diff with word detail in changed lines, stats and unified diff text."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

import numpy as np
from rapidfuzz import fuzz, process

from promptui.diff.align import opcodes
from promptui.diff.types import DiffStats, Row, Segment
from promptui.diff.words import sides, word_ops, ws_key

_WORD = re.compile(r"\w+")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")

# Replace blocks larger than this (lines x lines) are paired by position, not by similarity.
_PAIR_MAX_CELLS = 40_000
# ... and so are blocks whose character product would make similarity scoring slow.
_PAIR_MAX_CHAR_CELLS = 200_000_000
# Minimum fuzz.ratio for two changed lines (or chat messages) to be shown as one change.
SIMILARITY_CUTOFF = 50.0
# A changed line at least this long, whose characters mostly (ratio) reappear in order in a
# longer line, is also paired with it.
_CONTAINED_MIN_CHARS = 10
_CONTAINED_RATIO = 0.8


def _split_lines(text: str) -> list[str]:
    """Split on ``\\n`` keeping terminators (``\\r\\n`` stays on its line)."""
    return _LINE.findall(text)


# --------------------------------------------------------------------------- line level


def _line_scores(la: list[str], lb: list[str]) -> np.ndarray:
    """Similarity matrix of two line lists; 0 where lines should not be paired.

    Lines pair when fuzz.ratio >= cutoff, or when the shorter line (at least
    ``_CONTAINED_MIN_CHARS`` long) is mostly contained in the longer one (text appended to or
    inserted into a line).
    """
    scores = process.cdist(la, lb, scorer=fuzz.ratio, dtype=np.float64)
    len_a = np.array([len(x) for x in la], dtype=np.float64)[:, None]
    len_b = np.array([len(y) for y in lb], dtype=np.float64)[None, :]
    lcs = scores * (len_a + len_b) / 200.0
    shorter = np.minimum(len_a, len_b)
    contained = (shorter >= _CONTAINED_MIN_CHARS) & (lcs >= _CONTAINED_RATIO * shorter)
    return np.where((scores >= SIMILARITY_CUTOFF) | contained, scores, 0.0)


def _pair_lines(la: list[str], lb: list[str]) -> list[tuple[int | None, int | None]]:
    """Pair lines of a replaced block; returns (i, j) pairs in display order.

    Similar lines (fuzz.ratio >= cutoff) are paired, keeping order, best match first;
    unpaired lines become deletions/insertions. Large blocks are paired by position.
    """
    n, m = len(la), len(lb)
    if n * m > _PAIR_MAX_CELLS or sum(map(len, la)) * sum(map(len, lb)) > _PAIR_MAX_CHAR_CELLS:
        pairs = [(k, k) for k in range(min(n, m))]
    else:
        scores = _line_scores(la, lb)
        pairs = []
        stack = [(0, n, 0, m)]
        while stack:
            a0, a1, b0, b1 = stack.pop()
            if a0 >= a1 or b0 >= b1:
                continue
            sub = scores[a0:a1, b0:b1]
            k = int(sub.argmax())
            i, j = divmod(k, b1 - b0)
            if sub[i, j] <= 0:
                continue
            pairs.append((a0 + i, b0 + j))
            stack.append((a0, a0 + i, b0, b0 + j))
            stack.append((a0 + i + 1, a1, b0 + j + 1, b1))
        pairs.sort()
    out: list[tuple[int | None, int | None]] = []
    i = j = 0
    for pi, pj in [*pairs, (n, m)]:
        out.extend((k, None) for k in range(i, pi))
        out.extend((None, k) for k in range(j, pj))
        if pi < n:
            out.append((pi, pj))
        i, j = pi + 1, pj + 1
    return out


def diff_lines(a: str, b: str, *, ignore_whitespace: bool = False) -> list[Row]:
    """Side-by-side rows of a line diff with word-level detail in changed lines.

    With ``ignore_whitespace``, lines differing only in whitespace are equal rows (each side
    keeps its own text) and whitespace-only changes inside changed lines are not highlighted.
    """
    la = _split_lines(a)
    lb = _split_lines(b)
    if a == b:
        return [
            Row("equal", k + 1, k + 1, (Segment("equal", x),), (Segment("equal", x),))
            for k, x in enumerate(la)
        ]
    if ignore_whitespace:
        ka: list = [ws_key(x) for x in la]
        kb: list = [ws_key(x) for x in lb]
    else:
        ka, kb = la, lb
    rows: list[Row] = []

    def changed_block(i1: int, i2: int, j1: int, j2: int) -> None:
        for pi, pj in _pair_lines(la[i1:i2], lb[j1:j2]):
            if pj is None:
                x = la[i1 + pi]
                rows.append(Row("delete", i1 + pi + 1, None, (Segment("delete", x),), ()))
            elif pi is None:
                y = lb[j1 + pj]
                rows.append(Row("insert", None, j1 + pj + 1, (), (Segment("insert", y),)))
            else:
                ops = word_ops(la[i1 + pi], lb[j1 + pj], ignore_whitespace)
                left, right = sides(ops, ignore_whitespace)
                rows.append(Row("replace", i1 + pi + 1, j1 + pj + 1, left, right))

    i0 = j0 = 0
    for tag, i1, i2, j1, j2 in opcodes(ka, kb):
        if tag != "equal":
            continue
        if i0 < i1 or j0 < j1:
            changed_block(i0, i1, j0, j1)
        for k in range(i2 - i1):
            x, y = la[i1 + k], lb[j1 + k]
            rows.append(
                Row("equal", i1 + k + 1, j1 + k + 1, (Segment("equal", x),), (Segment("equal", y),))
            )
        i0, j0 = i2, j2
    if i0 < len(la) or j0 < len(lb):
        changed_block(i0, len(la), j0, len(lb))
    return rows


def apply_rows(rows: Iterable[Row]) -> tuple[str, str]:
    """Rebuild ``(a, b)`` from rows."""
    left: list[str] = []
    right: list[str] = []
    for row in rows:
        left.extend(s.text for s in row.left)
        right.extend(s.text for s in row.right)
    return "".join(left), "".join(right)


def stats(rows: Iterable[Row]) -> DiffStats:
    """Words added/removed (``\\w+`` tokens in changed segments) and rows that changed."""
    added = removed = changed = 0
    for row in rows:
        if row.kind != "equal":
            changed += 1
        removed += sum(len(_WORD.findall(s.text)) for s in row.left if s.op == "delete")
        added += sum(len(_WORD.findall(s.text)) for s in row.right if s.op == "insert")
    return DiffStats(words_added=added, words_removed=removed, lines_changed=changed)


def _label(text: str) -> str:
    """A file label safe for a diff header line."""
    return re.sub(r"[\r\n\t]", " ", text)


def unified_diff(a: str, b: str, a_label: str, b_label: str, context: int = 3) -> str:
    """Standard unified diff text (every line ends with ``\\n``); empty when equal."""
    out: list[str] = []
    for line in difflib.unified_diff(
        _split_lines(a),
        _split_lines(b),
        fromfile=_label(a_label),
        tofile=_label(b_label),
        n=context,
        lineterm="\n",
    ):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)
