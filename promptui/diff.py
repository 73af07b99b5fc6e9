"""Word-level and line-level diffs of prompt templates.

Pure functions only (no Streamlit, no MLflow). The engine works in two levels:

1. lines are aligned with an LCS diff; changed lines inside a replaced block are paired by
   similarity;
2. inside each changed line pair, words are aligned with an LCS diff on tokens.

Word alignment is done on "coarse" tokens (a word or punctuation mark together with its
trailing whitespace, compared without that whitespace), which halves the token count of the
quadratic step. Each changed region is then refined on fine tokens (words, whitespace runs and
punctuation separately). Joining the segments of either side always rebuilds that side exactly.
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from promptui.models import ChatMessage  # re-exported: one message type for the whole app

__all__ = [
    "ChatMessage",
    "DiffStats",
    "KeyChange",
    "MessageDiff",
    "Op",
    "Row",
    "Segment",
    "VariableChange",
    "apply_chat",
    "apply_rows",
    "diff_chat",
    "diff_lines",
    "diff_mapping",
    "diff_variables",
    "diff_words",
    "stats",
    "tokenize",
    "unified_diff",
]

Op = Literal["equal", "insert", "delete"]
RowKind = Literal["equal", "replace", "insert", "delete"]
MessageKind = Literal["equal", "changed", "added", "removed", "moved"]

_FINE = re.compile(r"\w+|\s+|[^\w\s]")
_COARSE = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
_WORD = re.compile(r"\w+")
_NON_WS = re.compile(r"\w+|[^\w\s]")
_LINE = re.compile(r"[^\n]*\n|[^\n]+")

# Token alignments larger than this (tokens x tokens) are first split at unique anchors.
_DIRECT_MAX_CELLS = 300_000_000
# Change blocks whose fine-token product exceeds this are not refined (they are rewrites).
_REFINE_MAX_CELLS = 10_000_000
# Replace blocks larger than this (lines x lines) are paired by position, not by similarity.
_PAIR_MAX_CELLS = 40_000
# ... and so are blocks whose character product would make similarity scoring slow.
_PAIR_MAX_CHAR_CELLS = 200_000_000
# Minimum fuzz.ratio for two changed lines (or chat messages) to be shown as one change.
_SIMILARITY_CUTOFF = 50.0
# A changed line at least this long, whose characters mostly (ratio) reappear in order in a
# longer line, is also paired with it.
_CONTAINED_MIN_CHARS = 10
_CONTAINED_RATIO = 0.8


@dataclass(frozen=True)
class Segment:
    """A run of text that is equal on both sides, only on the left (delete) or only on the right
    (insert)."""

    op: Op
    text: str


@dataclass(frozen=True)
class Row:
    """One side-by-side row; ``left`` holds equal/delete segments, ``right`` equal/insert ones.

    Line numbers are 1-based; a side without a line has number ``None`` and no segments.
    Segments include the line terminator, so joining all rows rebuilds both texts exactly.
    """

    kind: RowKind
    left_no: int | None
    right_no: int | None
    left: tuple[Segment, ...]
    right: tuple[Segment, ...]


@dataclass(frozen=True)
class DiffStats:
    """Counts of changed words (``\\w+`` tokens) and changed rows."""

    words_added: int
    words_removed: int
    lines_changed: int


@dataclass(frozen=True)
class MessageDiff:
    """How one chat message changed; indexes are 0-based positions in each list."""

    kind: MessageKind
    left_index: int | None
    right_index: int | None
    left: ChatMessage | None
    right: ChatMessage | None
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class KeyChange:
    """One key of a mapping (model config, tags) compared across two versions."""

    key: str
    kind: Literal["added", "removed", "changed", "equal"]
    left: str | None
    right: str | None


@dataclass(frozen=True)
class VariableChange:
    """Template variables added, removed and kept (each sorted)."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]

    @property
    def breaking(self) -> bool:
        """True when callers filling the old variables would break."""
        return bool(self.added or self.removed)


# --------------------------------------------------------------------------- tokens


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single punctuation characters.

    ``"".join(tokenize(text)) == text`` always holds.
    """
    return _FINE.findall(text)


def _split_lines(text: str) -> list[str]:
    """Split on ``\\n`` keeping terminators (``\\r\\n`` stays on its line)."""
    return _LINE.findall(text)


def _ws_key(text: str) -> tuple[str, ...]:
    """Comparison key of a text that ignores all whitespace between tokens."""
    return tuple(_NON_WS.findall(text))


def _to_ids(a: list, b: list) -> tuple[list[int], list[int]]:
    """Map hashable items of both lists to small ints (faster for rapidfuzz)."""
    ids: dict = {}
    setdefault = ids.setdefault
    ia = [setdefault(x, len(ids)) for x in a]
    ib = [setdefault(x, len(ids)) for x in b]
    return ia, ib


def _opcodes(a: list, b: list) -> list[tuple[str, int, int, int, int]]:
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


# --------------------------------------------------------------------------- word level

# Internal word-diff ops: (op, left_text, right_text). For "equal" both texts are present and
# differ only when whitespace is ignored; a "change" op has a deleted and an inserted text.
_WOp = tuple[str, str, str]


def _refine(ta: str, tb: str, ignore_ws: bool) -> list[_WOp]:
    """Diff a changed region on fine tokens."""
    if not ta or not tb:
        return [("change", ta, tb)]
    fa = _FINE.findall(ta)
    fb = _FINE.findall(tb)
    if ignore_ws:
        ka = [" " if t.isspace() else t for t in fa]
        kb = [" " if t.isspace() else t for t in fb]
    else:
        ka, kb = fa, fb
    # Common prefix and suffix in Python: the regions are usually a few tokens long.
    n, m = len(ka), len(kb)
    p = 0
    while p < n and p < m and ka[p] == kb[p]:
        p += 1
    s = 0
    while s < n - p and s < m - p and ka[n - 1 - s] == kb[m - 1 - s]:
        s += 1
    out: list[_WOp] = []
    if p:
        out.append(("equal", "".join(fa[:p]), "".join(fb[:p])))
    ma, mb = ka[p : n - s], kb[p : m - s]
    if (
        not ma
        or not mb
        or (len(ma) == 1 and ma[0] not in mb)
        or len(ma) * len(mb) > _REFINE_MAX_CELLS
    ):
        out.append(("change", "".join(fa[p : n - s]), "".join(fb[p : m - s])))
    else:
        for tag, i1, i2, j1, j2 in _opcodes(ma, mb):
            xa = "".join(fa[p + i1 : p + i2])
            xb = "".join(fb[p + j1 : p + j2])
            out.append(("equal", xa, xb) if tag == "equal" else ("change", xa, xb))
    if s:
        out.append(("equal", "".join(fa[n - s :]), "".join(fb[m - s :])))
    return out


def _equal_run(ca: list[str], cb: list[str], ignore_ws: bool) -> list[_WOp]:
    """Ops for coarse tokens that match word for word (trailing whitespace may differ)."""
    xa = "".join(ca)
    xb = "".join(cb)
    if ignore_ws or xa == xb:
        return [("equal", xa, xb)]
    out: list[_WOp] = []
    for ta, tb in zip(ca, cb, strict=True):
        if ta == tb:
            out.append(("equal", ta, tb))
            continue
        wa = ta.rstrip()
        wb = tb.rstrip()
        if wa:
            out.append(("equal", wa, wb))
        out.extend(_refine(ta[len(wa) :], tb[len(wb) :], False))
    return out


def _is_soft_ws(text: str) -> bool:
    """Whitespace that may be absorbed between two changes (no line break)."""
    return text.isspace() and "\n" not in text


def _normalize(ops: list[_WOp], ignore_ws: bool) -> list[_WOp]:
    """Merge adjacent ops, absorb small whitespace between changes, drop empty ops."""
    merged: list[list[str]] = []
    for op, xa, xb in ops:
        if not xa and not xb:
            continue
        if ignore_ws and op == "change" and (not xa or xa.isspace()) and (not xb or xb.isspace()):
            op = "equal"
        if merged and merged[-1][0] == op:
            merged[-1][1] += xa
            merged[-1][2] += xb
        else:
            merged.append([op, xa, xb])
    # Absorb whitespace-only equal runs sitting between two changes, when the result is a
    # real replacement (something deleted and something inserted).
    out: list[list[str]] = []
    i = 0
    while i < len(merged):
        cur = merged[i]
        if (
            cur[0] == "equal"
            and out
            and out[-1][0] == "change"
            and i + 1 < len(merged)
            and merged[i + 1][0] == "change"
            and _is_soft_ws(cur[1])
            and _is_soft_ws(cur[2])
        ):
            prev, nxt = out[-1], merged[i + 1]
            if (prev[1] or nxt[1]) and (prev[2] or nxt[2]):
                prev[1] += cur[1] + nxt[1]
                prev[2] += cur[2] + nxt[2]
                i += 2
                continue
        out.append(cur)
        i += 1
    return [(op, xa, xb) for op, xa, xb in out]


def _word_ops(a: str, b: str, ignore_ws: bool = False) -> list[_WOp]:
    """Word diff of two texts as normalized internal ops."""
    if a == b:
        return [("equal", a, b)] if a else []
    ca = _COARSE.findall(a)
    cb = _COARSE.findall(b)
    ops: list[_WOp] = []
    i0 = j0 = 0  # start of the pending change region
    for tag, i1, i2, j1, j2 in _opcodes([t.rstrip() for t in ca], [t.rstrip() for t in cb]):
        if tag != "equal":
            continue
        if i0 < i1 or j0 < j1:
            ops.extend(_refine("".join(ca[i0:i1]), "".join(cb[j0:j1]), ignore_ws))
        ops.extend(_equal_run(ca[i1:i2], cb[j1:j2], ignore_ws))
        i0, j0 = i2, j2
    if i0 < len(ca) or j0 < len(cb):
        ops.extend(_refine("".join(ca[i0:]), "".join(cb[j0:]), ignore_ws))
    return _normalize(_coalesce(ops, ignore_ws), ignore_ws)


def _coalesce(ops: list[_WOp], ignore_ws: bool) -> list[_WOp]:
    """Re-refine runs of adjacent changes as one region (e.g. a whitespace change at the end
    of an equal run followed by a changed word)."""
    out: list[_WOp] = []
    group: list[_WOp] = []
    for op in [*ops, ("equal", "", "")]:
        if op[0] == "change":
            group.append(op)
            continue
        if len(group) == 1:
            out.append(group[0])
        elif group:
            out.extend(
                _refine("".join(g[1] for g in group), "".join(g[2] for g in group), ignore_ws)
            )
        group = []
        out.append(op)
    return out


def diff_words(a: str, b: str) -> list[Segment]:
    """Word-level diff; equal+delete texts join to ``a``, equal+insert texts join to ``b``.

    Within a change, the deleted run comes before the inserted run.
    """
    out: list[Segment] = []
    for op, xa, xb in _word_ops(a, b):
        if op == "equal":
            out.append(Segment("equal", xa))
            continue
        if xa:
            out.append(Segment("delete", xa))
        if xb:
            out.append(Segment("insert", xb))
    return out


def _sides(
    ops: list[_WOp], ignore_ws: bool = False
) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Split internal ops into left (equal/delete) and right (equal/insert) segments.

    With ``ignore_ws``, the whitespace-only side of a change is shown as equal.
    """
    left: list[Segment] = []
    right: list[Segment] = []
    for op, xa, xb in ops:
        if xa:
            quiet = op == "equal" or (ignore_ws and xa.isspace())
            _push(left, "equal" if quiet else "delete", xa)
        if xb:
            quiet = op == "equal" or (ignore_ws and xb.isspace())
            _push(right, "equal" if quiet else "insert", xb)
    return tuple(left), tuple(right)


def _push(segments: list[Segment], op: Op, text: str) -> None:
    """Append a segment, merging it into the previous one when the op is the same."""
    if segments and segments[-1].op == op:
        segments[-1] = Segment(op, segments[-1].text + text)
    else:
        segments.append(Segment(op, text))


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
    return np.where((scores >= _SIMILARITY_CUTOFF) | contained, scores, 0.0)


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
        ka: list = [_ws_key(x) for x in la]
        kb: list = [_ws_key(x) for x in lb]
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
                ops = _word_ops(la[i1 + pi], lb[j1 + pj], ignore_whitespace)
                left, right = _sides(ops, ignore_whitespace)
                rows.append(Row("replace", i1 + pi + 1, j1 + pj + 1, left, right))

    i0 = j0 = 0
    for tag, i1, i2, j1, j2 in _opcodes(ka, kb):
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


# --------------------------------------------------------------------------- chat


def diff_chat(
    a: Sequence[ChatMessage], b: Sequence[ChatMessage], *, ignore_whitespace: bool = False
) -> list[MessageDiff]:
    """Match messages of two chat templates and diff the content of each match.

    Identical messages are matched first (those whose relative order changed are "moved"),
    then same content with another role, then the most similar messages of the same role
    (fuzz.ratio >= 50) as "changed"; the rest are added/removed. Ordered by right position,
    with removed messages near their left position.
    """
    a = list(a)
    b = list(b)

    def content_key(msg: ChatMessage) -> object:
        return _ws_key(msg.content) if ignore_whitespace else msg.content

    left_of: dict[int, int] = {}  # right index -> left index
    kind_of: dict[int, MessageKind] = {}  # right index -> kind
    anchors: list[tuple[int, int]] = []  # (right, left) of in-order identical pairs

    ka = [(m.role, content_key(m)) for m in a]
    kb = [(m.role, content_key(m)) for m in b]
    for tag, i1, i2, j1, _ in _opcodes(ka, kb):
        if tag == "equal":
            for k in range(i2 - i1):
                left_of[j1 + k] = i1 + k
                kind_of[j1 + k] = "equal"
                anchors.append((j1 + k, i1 + k))
    used_left = set(left_of.values())

    def match(key_a: list, key_b: list, kind: MessageKind) -> None:
        free: dict[object, deque[int]] = {}
        for j, k in enumerate(key_b):
            if j not in left_of:
                free.setdefault(k, deque()).append(j)
        for i, k in enumerate(key_a):
            if i not in used_left and free.get(k):
                j = free[k].popleft()
                left_of[j] = i
                kind_of[j] = kind
                used_left.add(i)

    match(ka, kb, "moved")
    match([content_key(m) for m in a], [content_key(m) for m in b], "changed")

    # Similar content, same role: best scores first.
    by_role: dict[str, tuple[list[int], list[int]]] = {}
    for i, msg in enumerate(a):
        if i not in used_left:
            by_role.setdefault(msg.role, ([], []))[0].append(i)
    for j, msg in enumerate(b):
        if j not in left_of and msg.role in by_role:
            by_role[msg.role][1].append(j)
    candidates: list[tuple[float, int, int, int]] = []
    for ii, jj in by_role.values():
        if not ii or not jj:
            continue
        scores = process.cdist(
            [a[i].content for i in ii],
            [b[j].content for j in jj],
            scorer=fuzz.ratio,
            score_cutoff=_SIMILARITY_CUTOFF,
        )
        for x, i in enumerate(ii):
            for y, j in enumerate(jj):
                score = float(scores[x, y])
                if score >= _SIMILARITY_CUTOFF:
                    candidates.append((-score, abs(i - j), i, j))
    for _, _, i, j in sorted(candidates):
        if i not in used_left and j not in left_of:
            left_of[j] = i
            kind_of[j] = "changed"
            used_left.add(i)

    removed = [i for i in range(len(a)) if i not in used_left]
    # Left index of the next in-order anchor at or after each right position.
    next_anchor = [len(a)] * (len(b) + 1)
    anchor_left = dict(anchors)
    for j in range(len(b) - 1, -1, -1):
        next_anchor[j] = anchor_left.get(j, next_anchor[j + 1])

    out: list[MessageDiff] = []
    r = 0

    def flush(limit: int) -> None:
        nonlocal r
        while r < len(removed) and removed[r] < limit:
            i = removed[r]
            rows = tuple(diff_lines(a[i].content, ""))
            out.append(MessageDiff("removed", i, None, a[i], None, rows))
            r += 1

    for j, msg in enumerate(b):
        flush(next_anchor[j])
        i = left_of.get(j)
        if i is None:
            rows = tuple(diff_lines("", msg.content))
            out.append(MessageDiff("added", None, j, None, msg, rows))
        else:
            rows = tuple(diff_lines(a[i].content, msg.content, ignore_whitespace=ignore_whitespace))
            out.append(MessageDiff(kind_of[j], i, j, a[i], msg, rows))
    flush(len(a) + 1)
    return out


def apply_chat(diffs: Iterable[MessageDiff]) -> tuple[list[ChatMessage], list[ChatMessage]]:
    """Rebuild both message lists from a chat diff."""
    diffs = list(diffs)
    left = sorted((d.left_index, d.left) for d in diffs if d.left_index is not None)
    right = sorted((d.right_index, d.right) for d in diffs if d.right_index is not None)
    return [m for _, m in left], [m for _, m in right]  # type: ignore[misc]


# --------------------------------------------------------------------------- mappings


def _render_value(value: object) -> str:
    """Display form of a config/tag value: strings as is, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def diff_mapping(a: Mapping[str, object], b: Mapping[str, object]) -> list[KeyChange]:
    """Compare two mappings key by key, sorted by key."""
    out: list[KeyChange] = []
    for key in sorted(set(a) | set(b), key=str):
        if key not in b:
            out.append(KeyChange(str(key), "removed", _render_value(a[key]), None))
        elif key not in a:
            out.append(KeyChange(str(key), "added", None, _render_value(b[key])))
        else:
            left, right = _render_value(a[key]), _render_value(b[key])
            same = left == right and isinstance(a[key], str) == isinstance(b[key], str)
            out.append(KeyChange(str(key), "equal" if same else "changed", left, right))
    return out


def diff_variables(a: Iterable[str], b: Iterable[str]) -> VariableChange:
    """Template variables added, removed and kept between two versions."""
    sa, sb = set(a), set(b)
    return VariableChange(
        added=tuple(sorted(sb - sa)),
        removed=tuple(sorted(sa - sb)),
        kept=tuple(sorted(sa & sb)),
    )
