"""Select keys follow their labels: changed labels give a new key, the same labels the same."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from promptui.ui.select_keys import labelled_key

LABELS = st.lists(st.text(max_size=30), max_size=8)


@given(LABELS, LABELS)
def test_the_key_changes_exactly_when_the_labels_do(first: list[str], second: list[str]) -> None:
    same = labelled_key("prompt_version_pick:p:3", first) == labelled_key(
        "prompt_version_pick:p:3", second
    )
    assert same == (first == second)


def test_the_key_keeps_its_base() -> None:
    key = labelled_key("prompt_version_pick:a:b:3", ["v3 · latest", "v2 · production"])
    assert key.rsplit(":", 1)[0] == "prompt_version_pick:a:b:3"
    assert key != labelled_key("prompt_version_pick:a:b:3", ["v3 · champion, latest", "v2"])
