"""The tables the prompt pages show, built from the service layer's dataclasses (pure pandas)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TypeVar

import pandas as pd

from promptui.diff.mappings import render_value

T = TypeVar("T")

ROWS_PER_PAGE = 1000


def alias_labels(aliases: Mapping[str, int]) -> list[str]:
    """`["production → v3", "champion → v4"]`, shown as chips."""
    return [f"{alias} → v{version}" for alias, version in aliases.items()]


def tag_labels(tags: Mapping[str, str]) -> list[str]:
    """`["key=value", ...]`, sorted by key."""
    return [f"{key}={value}" for key, value in sorted(tags.items())]


def mapping_frame(values: Mapping[str, object], key: str = "key") -> pd.DataFrame:
    """Tags or model settings as two text columns (values that are not text, as JSON)."""
    rows = [(k, render_value(v)) for k, v in values.items()]
    return pd.DataFrame(rows, columns=[key, "value"])


def page_count(total: int, per_page: int = ROWS_PER_PAGE) -> int:
    """How many pages `total` rows take (at least one)."""
    return max(1, math.ceil(total / per_page))


def page_of(items: Sequence[T], page: int, per_page: int = ROWS_PER_PAGE) -> Sequence[T]:
    """Rows of one page (1-based; out-of-range pages are clamped)."""
    page = min(max(page, 1), page_count(len(items), per_page))
    return items[(page - 1) * per_page : page * per_page]
