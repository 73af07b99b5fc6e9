"""Aliases: moves with recorded history, rollback, change previews and environment promotion."""

from promptui.aliases.environments import (
    EnvResolution,
    Promotion,
    promotions,
    resolve_environments,
)
from promptui.aliases.moves import (
    delete_version,
    move_alias,
    protected_aliases,
    record_outside_changes,
    remove_alias,
    rollback_target,
    version_label,
)
from promptui.aliases.preview import (
    AliasChangePreview,
    TimelineRow,
    alias_change_preview,
    timeline,
)
from promptui.aliases.rollback import BackOffer, back_offer

__all__ = [
    "AliasChangePreview",
    "BackOffer",
    "EnvResolution",
    "Promotion",
    "TimelineRow",
    "alias_change_preview",
    "back_offer",
    "delete_version",
    "move_alias",
    "promotions",
    "protected_aliases",
    "record_outside_changes",
    "remove_alias",
    "resolve_environments",
    "rollback_target",
    "timeline",
    "version_label",
]
