"""Alias moves with history, rollback, the confirm preview, timelines, environments."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from promptui.aliases import (
    TimelineRow,
    alias_change_preview,
    back_offer,
    move_alias,
    promotions,
    remove_alias,
    resolve_environments,
    rollback_target,
    timeline,
)
from promptui.aliases.history import AliasEvent, AliasHistory
from promptui.config import EnvConfig, ModelConfig
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.errors import ConflictError, InvalidInputError, NotFoundError
from promptui.registry.models import ChatMessage, PromptDetail
from promptui.ui.alias_history_view import (
    PALETTE,
    chart_frame,
    history_chart_spec,
    time_axis,
    version_color,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _event(
    alias: str, frm: int | None, to: int | None, minutes: int, *, outside: bool = False
) -> AliasEvent:
    source = "outside" if outside else "promptui"
    return AliasEvent("p", alias, frm, to, T0 + timedelta(minutes=minutes), None, "", source)


def _three_versions(registry: PromptRegistry, name: str) -> None:
    registry.create_prompt(name, "Answer {{question}}.", "first")
    registry.commit_version(name, "Answer {{question}} briefly.", "second")
    registry.commit_version(name, "Answer {{question}} in {{language}}.", "third")


@pytest.fixture
def history(registry: PromptRegistry, unique_name: str) -> AliasHistory:
    return AliasHistory(registry, f"hist-{unique_name}")


def test_move_sets_the_alias_and_records_it(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _three_versions(registry, unique_name)
    first = move_alias(registry, history, unique_name, "production", 1, expected=None, user="ana")
    second = move_alias(
        registry, history, unique_name, "production", 3, expected=1, reason="ship", user="bo"
    )
    assert registry.get_aliases(unique_name) == {"production": 3}
    assert first is not None and second is not None
    assert (second.from_version, second.to_version, second.reason) == (1, 3, "ship")
    events = history.events(unique_name)
    assert [(e.from_version, e.to_version, e.user) for e in events] == [
        (1, 3, "bo"),
        (None, 1, "ana"),
    ]


def test_stale_move_is_refused_and_names_who_moved_it(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _three_versions(registry, unique_name)
    move_alias(registry, history, unique_name, "production", 1, expected=None)
    move_alias(registry, history, unique_name, "production", 2, expected=1, user="bo", reason="r")
    with pytest.raises(ConflictError) as err:
        move_alias(registry, history, unique_name, "production", 3, expected=1, user="ana")
    assert "now points to version 2" in err.value.message
    assert "by bo" in err.value.message
    assert registry.get_aliases(unique_name) == {"production": 2}
    assert len(history.events(unique_name)) == 2


def test_conflict_with_a_change_made_outside_promptui(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _three_versions(registry, unique_name)
    move_alias(registry, history, unique_name, "champion", 1, expected=None)
    registry.client().set_prompt_alias(unique_name, "champion", 3)
    with pytest.raises(ConflictError, match="changed outside promptui"):
        remove_alias(registry, history, unique_name, "champion", expected=1)
    assert registry.get_aliases(unique_name) == {"champion": 3}


def test_remove_records_a_deletion(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _three_versions(registry, unique_name)
    move_alias(registry, history, unique_name, "champion", 2, expected=None)
    event = remove_alias(registry, history, unique_name, "champion", expected=2, reason="bad")
    assert (event.from_version, event.to_version) == (2, None)
    assert registry.get_aliases(unique_name) == {}
    assert rollback_target(history.events(unique_name), "champion") == 2


def test_move_onto_the_same_version_writes_nothing(
    server_registry: PromptRegistry, unique_name: str
) -> None:
    history = AliasHistory(server_registry, f"hist-{unique_name}")
    with count_requests() as log, pytest.raises(InvalidInputError, match="already points"):
        move_alias(server_registry, history, unique_name, "production", 2, expected=2)
    assert log.count == 0


def test_move_to_a_missing_version_records_nothing(
    registry: PromptRegistry, history: AliasHistory, unique_name: str
) -> None:
    _three_versions(registry, unique_name)
    with pytest.raises(NotFoundError):
        move_alias(registry, history, unique_name, "production", 9, expected=None)
    assert history.events(unique_name) == []


def test_move_costs_four_requests(server_registry: PromptRegistry, unique_name: str) -> None:
    _three_versions(server_registry, unique_name)
    history = AliasHistory(server_registry, f"hist-{unique_name}")
    move_alias(server_registry, history, unique_name, "production", 1, expected=None)
    with count_requests() as log:
        move_alias(server_registry, history, unique_name, "production", 2, expected=1)
    # alias check, the write; history: create run, finish run
    assert log.count == 4


def test_what_runs_meanwhile_sees_the_move_while_the_history_is_written(
    server_registry: PromptRegistry, unique_name: str
) -> None:
    _three_versions(server_registry, unique_name)
    history = AliasHistory(server_registry, f"hist-{unique_name}")
    move_alias(server_registry, history, unique_name, "production", 1, expected=None)
    seen: list[tuple[int | None, int, bool]] = []

    def reread() -> None:
        aliases = server_registry.get_aliases(unique_name)
        seen.append((aliases.get("production"), len(history.events(unique_name)), True))

    main = threading.get_ident()
    threads: list[int] = []
    with count_requests() as log:
        event = move_alias(
            server_registry, history, unique_name, "production", 2, expected=1,
            meanwhile=lambda: (threads.append(threading.get_ident()), reread()),
        )  # fmt: skip
    assert event is not None and event.to_version == 2
    assert seen and seen[0][0] == 2  # run once the alias points to v2
    assert threads and threads[0] != main  # beside the history's write, not after it
    assert log.count == 4 + 2  # the move's four, and the two reads run meanwhile
    assert [e.to_version for e in history.events(unique_name)][:1] == [2]

    def broken() -> None:
        raise NotFoundError("gone")

    with pytest.raises(NotFoundError, match="gone"):  # its error is raised, after the record
        remove_alias(server_registry, history, unique_name, "production", meanwhile=broken)
    assert server_registry.get_aliases(unique_name) == {}
    assert history.events(unique_name)[0].to_version is None  # the removal was recorded


def test_rollback_target_is_the_version_before_the_last_change() -> None:
    events = [_event("production", None, 1, 0), _event("production", 1, 3, 5)]
    events.append(_event("champion", None, 2, 7))
    assert rollback_target(events, "production") == 1
    assert rollback_target(events, "champion") is None  # no earlier version known
    assert rollback_target(events, "missing") is None
    events.append(_event("production", 3, 1, 9))  # a rollback; rolling back again undoes it
    assert rollback_target(list(reversed(events)), "production") == 3


def test_back_offer_prefers_the_recorded_rollback() -> None:
    events = [_event("production", None, 1, 0), _event("production", 1, 3, 5)]
    offer = back_offer(events, "production", 3, [1, 2, 3])
    assert offer is not None
    assert (offer.target, offer.basis, offer.label) == (1, "rollback", "Roll back production to v1")
    assert offer.reason == "Rollback"


def test_back_offer_without_any_history_is_the_version_before() -> None:
    offer = back_offer([], "production", 5, [1, 2, 4, 5, 6])  # v3 was deleted
    assert offer is not None
    assert (offer.target, offer.basis) == (4, "previous")
    assert offer.label == "Move production back to v4 (no recorded history: the version before v5)"
    assert back_offer([], "production", 1, [1, 2, 3]) is None  # nothing before v1


def test_back_offer_when_only_an_outside_change_was_noticed() -> None:
    noticed = [_event("production", None, 5, 9, outside=True)]  # set before any history
    offer = back_offer(noticed, "production", 5, [3, 4, 5])
    assert offer is not None
    assert offer.note == "no recorded history: the version before v5"
    first_set_here = [_event("production", None, 5, 9)]
    offer = back_offer(first_set_here, "production", 5, [3, 4, 5])
    assert offer is not None
    assert offer.note == "no earlier version recorded: the version before v5"


def test_back_offer_uses_versions_the_history_knows() -> None:
    events = [
        _event("champion", None, 2, 0),
        _event("champion", 2, None, 5),  # removed
        _event("champion", None, 6, 9, outside=True),  # set again elsewhere
    ]
    offer = back_offer(events, "champion", 6, [1, 2, 3, 4, 5, 6])
    assert offer is not None
    assert (offer.target, offer.basis) == (2, "known")
    assert offer.label == "Move champion back to v2 (the history shows it on v2 earlier)"
    # The recorded rollback target was deleted: the next known version, else the one before.
    events = [_event("champion", None, 2, 0), _event("champion", 2, 4, 5)]
    assert back_offer(events, "champion", 4, [1, 3, 4]).target == 3  # type: ignore[union-attr]
    events.append(_event("champion", 4, 3, 7))
    offer = back_offer(events, "champion", 3, [1, 3, 4])
    assert offer is not None and (offer.target, offer.basis) == (4, "rollback")


def _detail(*versions: tuple[int, str | tuple[ChatMessage, ...]]) -> PromptDetail:
    from promptui.registry.models import PromptVersion
    from promptui.templates import extract_variables, message_variables

    built = []
    for number, template in versions:
        chat = not isinstance(template, str)
        built.append(
            PromptVersion(
                name="p",
                version=number,
                prompt_type="chat" if chat else "text",
                text="" if chat else template,
                messages=template if chat else (),
                variables=message_variables(template) if chat else extract_variables(template),
                commit_message=f"c{number}",
                tags={},
                model_config={},
                aliases=(),
                created_at=T0,
            )
        )
    built.sort(key=lambda v: v.version, reverse=True)
    return PromptDetail("p", {}, {"production": 1}, tuple(built), T0, T0)


def test_preview_warns_about_added_variables() -> None:
    detail = _detail((1, "Answer {{question}}."), (2, "Answer {{question}} in {{language}}."))
    preview = alias_change_preview(detail, "production", 1, 2)
    assert preview.variables.added == ("language",)
    assert preview.variables.breaking
    assert any("language" in w and "break" in w for w in preview.warnings)
    assert [r.kind for r in preview.rows] == ["replace"]
    back = alias_change_preview(detail, "production", 2, 1)
    assert back.variables.removed == ("language",)
    assert any("no longer used" in w for w in back.warnings)


def test_preview_of_same_variables_has_no_warning() -> None:
    detail = _detail((1, "Answer {{q}}."), (2, "Reply to {{q}}."))
    assert alias_change_preview(detail, "production", 1, 2).warnings == ()


def test_preview_of_a_removal_and_of_chat_templates() -> None:
    one = (ChatMessage("system", "Be brief."), ChatMessage("user", "{{q}}"))
    two = (ChatMessage("system", "Be brief and kind."), ChatMessage("user", "{{q}} {{ctx}}"))
    detail = _detail((1, one), (2, two))
    preview = alias_change_preview(detail, "production", 1, 2)
    assert preview.is_chat
    assert [m.kind for m in preview.messages] == ["changed", "changed"]
    assert preview.variables.added == ("ctx",)
    removal = alias_change_preview(detail, "production", 2, None)
    assert removal.new is None
    assert any("will fail" in w for w in removal.warnings)


def test_timeline_stretches_end_at_the_next_change() -> None:
    now = T0 + timedelta(hours=1)
    events = [
        _event("production", None, 1, 0),
        _event("production", 1, 2, 10),
        _event("champion", None, 3, 5),
        _event("champion", 3, None, 20),
    ]
    rows = timeline(events, {"production": 2, "manual": 4}, now)
    got = [(r.alias, r.version, r.start, r.end, r.current) for r in rows]
    assert got == [
        ("champion", 3, T0 + timedelta(minutes=5), T0 + timedelta(minutes=20), False),
        ("manual", 4, now, now, True),
        ("production", 1, T0, T0 + timedelta(minutes=10), False),
        ("production", 2, T0 + timedelta(minutes=10), now, True),
    ]


def _env(name: str, prompt: str, setting: str, use: bool = True) -> EnvConfig:
    model = ModelConfig(use_prompt_registry=use, prompt_name=prompt, prompt_version=setting)
    return EnvConfig(name=name, path=Path(f"{name}.yaml"), model=model)


def test_environments_resolve_and_offer_promotions() -> None:
    detail = _detail((1, "a"), (2, "b"), (3, "c"))
    detail = PromptDetail("p", {}, {"champion": 3, "production": 2}, detail.versions, T0, T0)
    envs = [
        _env("dev", "p", "latest"),
        _env("staging", "p", "champion"),
        _env("prod", "p", "production"),
        _env("pinned", "p", "9"),
        _env("other", "q", "production"),
    ]
    rows = resolve_environments(envs, {"p": detail, "q": NotFoundError("no q")})
    assert [(r.env, r.version, r.problem) for r in rows] == [
        ("dev", 3, ""),
        ("staging", 3, ""),
        ("prod", 2, ""),
        ("pinned", None, "version 9 does not exist"),
        ("other", None, "no q"),
    ]
    assert rows[1].commit_message == "c3"
    promos = promotions(rows)
    assert [(p.source_setting, p.target_alias, p.version, p.current) for p in promos] == [
        ("champion", "production", 3, 2)
    ]
    assert promos[0].label == "Promote champion (v3) to production (now v2)"


def test_environment_without_registry_says_so() -> None:
    (row,) = resolve_environments([_env("dev", "p", "latest", use=False)], {})
    assert row.version is None
    assert "use_prompt_registry is false" in row.problem


def _rows(*stretches: tuple[str, int, int, int]) -> list[TimelineRow]:
    return [
        TimelineRow(a, v, T0 + timedelta(seconds=s), T0 + timedelta(seconds=e), False)
        for a, v, s, e in stretches
    ]


def _color_map(spec: dict) -> dict[str, str]:
    (scale,) = [
        layer["encoding"]["color"]["scale"]
        for layer in spec["layer"]
        if "color" in layer.get("encoding", {})
    ]
    return dict(zip(scale["domain"], scale["range"], strict=True))


def test_chart_colours_do_not_depend_on_the_order_or_other_versions() -> None:
    rows = _rows(("production", 12, 0, 60), ("champion", 3, 0, 30), ("production", 2, 60, 90))
    one = history_chart_spec(rows).to_dict()
    two = history_chart_spec(list(reversed(rows))).to_dict()
    assert _color_map(one) == _color_map(two)
    assert list(_color_map(one)) == ["v2", "v3", "v12"]  # in version order
    fewer = history_chart_spec(rows[1:]).to_dict()
    assert _color_map(fewer)["v3"] == _color_map(one)["v3"] == version_color(3)
    assert version_color(1) == PALETTE[0] and version_color(11) == PALETTE[0]


@pytest.mark.parametrize(
    "span",
    [
        timedelta(0),
        timedelta(seconds=40),
        timedelta(minutes=3),
        timedelta(minutes=50),
        timedelta(hours=7),
        timedelta(hours=30),
        timedelta(days=9),
        timedelta(days=200),
        timedelta(days=4000),
    ],
)
def test_time_axis_labels_are_few_and_never_repeat(span: timedelta) -> None:
    lo = datetime(2026, 11, 30, 7, 44, 13, tzinfo=UTC)
    axis = time_axis(lo, lo + max(span, timedelta(minutes=1)))
    assert 1 <= len(axis.ticks) <= 8
    assert len(set(axis.labels)) == len(axis.labels), axis.labels
    assert all(lo <= t <= lo + max(span, timedelta(minutes=1)) for t in axis.ticks)


def test_time_axis_of_minutes_shows_seconds() -> None:
    lo = datetime(2026, 11, 30, 7, 44, 1, tzinfo=UTC)
    axis = time_axis(lo, lo + timedelta(seconds=50))
    assert axis.fmt == "%H:%M:%S"
    assert axis.title == "UTC, 2026-11-30"


def test_narrow_segments_get_no_label_room() -> None:
    rows = _rows(("production", 1, 0, 3590), ("production", 2, 3590, 3600))
    frame, lo, hi = chart_frame(rows)
    assert (hi - lo) == timedelta(hours=1)
    shares = dict(zip(frame["version"], frame["share"], strict=True))
    # At 900 px wide, v2's 10 seconds are 2.5 px: far less than its label needs.
    assert shares["v2"] * 900 < frame["label_px"].iloc[1]
    assert shares["v1"] * 900 > frame["label_px"].iloc[0]
