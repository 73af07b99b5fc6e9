"""Chat templates compared message by message."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz, process

from promptui.diff.align import opcodes
from promptui.diff.lines import SIMILARITY_CUTOFF, diff_lines
from promptui.diff.types import MessageDiff, MessageKind
from promptui.diff.words import ws_key
from promptui.registry.models import ChatMessage


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
    # What a message holds besides its role, as a reviewer reads it (text, then any parts or
    # extra keys as JSON), computed once per message.
    text_a = [m.readable() for m in a]
    text_b = [m.readable() for m in b]

    def content_key(text: str) -> object:
        return ws_key(text) if ignore_whitespace else text

    left_of: dict[int, int] = {}  # right index -> left index
    kind_of: dict[int, MessageKind] = {}  # right index -> kind
    anchors: list[tuple[int, int]] = []  # (right, left) of in-order identical pairs

    ka = [(m.role, content_key(t)) for m, t in zip(a, text_a, strict=True)]
    kb = [(m.role, content_key(t)) for m, t in zip(b, text_b, strict=True)]
    for tag, i1, i2, j1, _ in opcodes(ka, kb):
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
    match([content_key(t) for t in text_a], [content_key(t) for t in text_b], "changed")

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
            [text_a[i] for i in ii],
            [text_b[j] for j in jj],
            scorer=fuzz.ratio,
            score_cutoff=SIMILARITY_CUTOFF,
        )
        for x, i in enumerate(ii):
            for y, j in enumerate(jj):
                score = float(scores[x, y])
                if score >= SIMILARITY_CUTOFF:
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
            rows = tuple(diff_lines(text_a[i], ""))
            out.append(MessageDiff("removed", i, None, a[i], None, rows))
            r += 1

    for j, msg in enumerate(b):
        flush(next_anchor[j])
        i = left_of.get(j)
        if i is None:
            rows = tuple(diff_lines("", text_b[j]))
            out.append(MessageDiff("added", None, j, None, msg, rows))
        else:
            rows = tuple(diff_lines(text_a[i], text_b[j], ignore_whitespace=ignore_whitespace))
            out.append(MessageDiff(kind_of[j], i, j, a[i], msg, rows))
    flush(len(a) + 1)
    return out


def apply_chat(diffs: Iterable[MessageDiff]) -> tuple[list[ChatMessage], list[ChatMessage]]:
    """Rebuild both message lists from a chat diff."""
    diffs = list(diffs)
    left = sorted((d.left_index, d.left) for d in diffs if d.left_index is not None)
    right = sorted((d.right_index, d.right) for d in diffs if d.right_index is not None)
    return [m for _, m in left], [m for _, m in right]  # type: ignore[misc]
