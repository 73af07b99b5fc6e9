"""Model config, tags and variables compared key by key."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from promptui.diff.types import KeyChange, VariableChange


def render_value(value: object) -> str:
    """Display form of a config/tag value: strings as is, the rest as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def diff_mapping(a: Mapping[str, object], b: Mapping[str, object]) -> list[KeyChange]:
    """Compare two mappings key by key, sorted by key."""
    out: list[KeyChange] = []
    for key in sorted(set(a) | set(b), key=str):
        if key not in b:
            out.append(KeyChange(str(key), "removed", render_value(a[key]), None))
        elif key not in a:
            out.append(KeyChange(str(key), "added", None, render_value(b[key])))
        else:
            left, right = render_value(a[key]), render_value(b[key])
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
