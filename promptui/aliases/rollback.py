"""Where an alias can be moved back to: its recorded rollback, else a version it is known to
have held, else the version just before its current one (said as such)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Literal

from promptui.aliases.history import AliasEvent
from promptui.aliases.moves import rollback_target

Basis = Literal["rollback", "known", "previous"]


@dataclass(frozen=True)
class BackOffer:
    """One "move back" offer for an alias that points to `current`.

    `basis` says what the target rests on: "rollback" (the version before the alias's last
    recorded change), "known" (a version the history shows it held earlier, its last change
    having no earlier version), or "previous" (nothing earlier known: the version just before
    the current one).
    """

    alias: str
    current: int
    target: int
    basis: Basis
    recorded_here: bool  # whether promptui recorded any change of this alias

    @property
    def label(self) -> str:
        """The button's text, e.g. `Roll back production to v1` or
        `Move production back to v4 (no recorded history: the version before v5)`."""
        if self.basis == "rollback":
            return f"Roll back {self.alias} to v{self.target}"
        return f"Move {self.alias} back to v{self.target} ({self.note})"

    @property
    def note(self) -> str:
        """Where the target comes from, as the person reads it."""
        if self.basis == "rollback":
            return f"before its last change it pointed to v{self.target}"
        if self.basis == "known":
            return f"the history shows it on v{self.target} earlier"
        none = "no earlier version recorded" if self.recorded_here else "no recorded history"
        return f"{none}: the version before v{self.current}"

    @property
    def reason(self) -> str:
        """The reason prefilled in the confirm step (the person may change it)."""
        if self.basis == "rollback":
            return "Rollback"
        return f"Move back to v{self.target} ({self.note})"


def back_offer(
    events: Iterable[AliasEvent], alias: str, current: int, versions: Collection[int]
) -> BackOffer | None:
    """Where `alias` (now on `current`) can go back to, among the existing `versions`.

    `events` are the prompt's alias events in any order, including changes noticed outside
    promptui and not recorded yet. In order of preference: the version before the last change;
    the newest other existing version the alias is known to have held (any event's from or to);
    the highest existing version below `current`. None when there is none. No requests.
    """
    mine = sorted((e for e in events if e.alias == alias), key=lambda e: e.at, reverse=True)
    existing = set(versions)
    recorded_here = any(not e.outside for e in mine)
    target = rollback_target(mine, alias)
    if target is not None and target != current and target in existing:
        return BackOffer(alias, current, target, "rollback", recorded_here)
    for event in mine:  # newest first; within an event, where it went before where it came from
        for held in (event.to_version, event.from_version):
            if held is not None and held != current and held in existing:
                return BackOffer(alias, current, held, "known", recorded_here)
    below = [v for v in existing if v < current]
    if not below:
        return None
    return BackOffer(alias, current, max(below), "previous", recorded_here)
