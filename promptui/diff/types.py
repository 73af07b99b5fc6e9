"""The diff engine's result types: segments, rows, message and mapping changes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from promptui.registry.models import ChatMessage

Op = Literal["equal", "insert", "delete"]
RowKind = Literal["equal", "replace", "insert", "delete"]
MessageKind = Literal["equal", "changed", "added", "removed", "moved"]


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
