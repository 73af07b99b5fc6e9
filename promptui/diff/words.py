"""Word-level diff inside a pair of lines: coarse tokens first, changed regions refined."""

from __future__ import annotations

import re

from promptui.diff.align import opcodes
from promptui.diff.types import Op, Segment

_FINE = re.compile(r"\w+|\s+|[^\w\s]")
_COARSE = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
_NON_WS = re.compile(r"\w+|[^\w\s]")

# Change blocks whose fine-token product exceeds this are not refined (they are rewrites).
_REFINE_MAX_CELLS = 10_000_000


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single punctuation characters.

    ``"".join(tokenize(text)) == text`` always holds.
    """
    return _FINE.findall(text)


def ws_key(text: str) -> tuple[str, ...]:
    """Comparison key of a text that ignores all whitespace between tokens."""
    return tuple(_NON_WS.findall(text))


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
        for tag, i1, i2, j1, j2 in opcodes(ma, mb):
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


def word_ops(a: str, b: str, ignore_ws: bool = False) -> list[_WOp]:
    """Word diff of two texts as normalized internal ops."""
    if a == b:
        return [("equal", a, b)] if a else []
    ca = _COARSE.findall(a)
    cb = _COARSE.findall(b)
    ops: list[_WOp] = []
    i0 = j0 = 0  # start of the pending change region
    for tag, i1, i2, j1, j2 in opcodes([t.rstrip() for t in ca], [t.rstrip() for t in cb]):
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
    for op, xa, xb in word_ops(a, b):
        if op == "equal":
            out.append(Segment("equal", xa))
            continue
        if xa:
            out.append(Segment("delete", xa))
        if xb:
            out.append(Segment("insert", xb))
    return out


def sides(
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
