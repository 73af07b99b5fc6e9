"""Version insights against a real `mlflow server`: runs that called `load_prompt`, an explicitly
linked run, a logged model and traces; figures checked against MLflow's own API; request counts
that do not grow with the number of runs; promotion gates."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from statistics import fmean

import mlflow
import mlflow.tracking._model_registry.utils as registry_utils
import mlflow.tracking._tracking_service.utils as tracking_utils
import pytest
from mlflow import MlflowClient
from streamlit.testing.v1 import AppTest

from promptui.aliases import move_alias
from promptui.aliases.history import AliasHistory
from promptui.insights.lineage import LINK_TAG, Lineage, LineageReader, LinkedRun, linked_versions
from promptui.insights.metrics import Gate, check_gate, load_gates, side_by_side, version_metrics
from promptui.instrument import count_requests
from promptui.registry import PromptRegistry
from promptui.registry.errors import ConfigError
from tests.apptest_util import (
    fresh_streamlit_caches,
    open_keyboard_panel,
    open_page,
    start_app,
    texts,
)
from tests.servers import PROJECT_DIR, Server

__all__ = ["fresh_streamlit_caches"]  # the autouse fixture, imported to apply here


@pytest.fixture
def tracking(mlflow_server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The session server is MLflow's own default for this test (put back afterwards)."""
    for module, key in ((tracking_utils, "_tracking_uri"), (registry_utils, "_registry_uri")):
        monkeypatch.setattr(module, key, mlflow_server.url)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server.url)
    monkeypatch.setenv("MLFLOW_REGISTRY_URI", mlflow_server.url)
    monkeypatch.setattr(mlflow.tracking.fluent, "_active_experiment_id", None)
    yield mlflow_server.url


def seed_lineage(url: str, name: str) -> dict[str, object]:
    """Three versions; runs that load v1 and v2 and log accuracy; a run linked to v3 by hand; a
    logged model linked to v2; a traced function that loads v2."""
    client = MlflowClient(tracking_uri=url, registry_uri=url)
    for text in ("One {{q}}", "Two {{q}}", "Three {{q}}"):
        mlflow.genai.register_prompt(name, text)
    experiment = mlflow.set_experiment(f"eval-{name}")
    scores = {1: [0.5, 0.7], 2: [0.9, 0.8, 0.85]}
    for version, values in scores.items():
        for value in values:
            with mlflow.start_run():
                mlflow.genai.load_prompt(f"prompts:/{name}/{version}")
                mlflow.log_metric("accuracy", value)
                mlflow.log_metric("latency_ms", 100 * version)
    manual = client.create_run(experiment.experiment_id, run_name="linked by hand")
    client.link_prompt_version_to_run(manual.info.run_id, client.get_prompt_version(name, 3))
    model = client.create_logged_model(experiment_id=experiment.experiment_id, name="agent")
    client.link_prompt_version_to_model(name, 2, model.model_id)

    @mlflow.trace
    def answer(q: str) -> str:
        return str(mlflow.genai.load_prompt(f"prompts:/{name}/2").format(q=q))

    answer("why?")
    mlflow.flush_trace_async_logging()
    return {"experiment": experiment.experiment_id, "scores": scores, "model": model.model_id}


def test_lineage_matches_mlflows_own_records(tracking: str, unique_name: str) -> None:
    seeded = seed_lineage(tracking, unique_name)
    lineage = LineageReader(PromptRegistry(tracking)).lineage(unique_name)
    # Expected from MLflow's API directly: every run of the experiment with the link tag.
    client = MlflowClient(tracking_uri=tracking)
    runs = client.search_runs([seeded["experiment"]])
    expected = {
        r.info.run_id: linked_versions(r.data.tags.get(LINK_TAG), unique_name) for r in runs
    }
    assert {r.run_id: r.versions for r in lineage.runs} == expected
    assert [r.started for r in lineage.runs] == sorted(
        (r.started for r in lineage.runs), reverse=True
    )
    stats = version_metrics(lineage)
    for version, values in seeded["scores"].items():  # type: ignore[union-attr]
        assert stats[version]["accuracy"].mean == pytest.approx(fmean(values))
        assert stats[version]["accuracy"].count == len(values)
    assert 3 not in stats  # the hand-linked run logged no metric
    assert [m.model_id for m in lineage.models_of(2)] == [seeded["model"]]
    reader = LineageReader(PromptRegistry(tracking))
    (trace,) = reader.traces(unique_name, 2, lineage.experiment_ids)
    assert trace.name == "answer"
    assert reader.traces(unique_name, 1, lineage.experiment_ids) == []


def test_lineage_requests_do_not_grow_with_runs(tracking: str, unique_name: str) -> None:
    registry = PromptRegistry(tracking)
    registry.create_prompt(unique_name, "Hi {{q}}", "first")
    client = MlflowClient(tracking_uri=tracking)
    experiment = client.create_experiment(f"many-{unique_name}")
    tag = json.dumps([{"name": unique_name, "version": "1"}])

    def add_runs(count: int) -> None:
        for _ in range(count):
            client.create_run(experiment, tags={LINK_TAG: tag})

    add_runs(1)
    with count_requests() as one:
        assert len(LineageReader(registry).lineage(unique_name).runs) == 1
    add_runs(199)
    with count_requests() as many:
        assert len(LineageReader(registry).lineage(unique_name).runs) == 200
    assert one.count == many.count == 3, (one.calls, many.calls)


def test_prompt_page_shows_runs_and_metrics_only_when_asked(
    tracking: str, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_lineage(tracking, unique_name)
    with count_requests() as opening:
        at = open_page(start_app(monkeypatch, tracking), "prompt", prompt=unique_name, version=2)
    assert opening.count <= 4  # home's list and the prompt: the lineage is not read yet
    with count_requests() as tab:
        at.session_state[f"prompt_tabs:{unique_name}"] = "Runs & traces"
        at.run()
    assert not at.exception, at.exception
    assert tab.count == 4  # experiments, runs, logged models; traces of the version
    frames = [d.value for d in at.dataframe]
    runs = next(f for f in frames if "run" in f.columns)
    assert sorted(runs["accuracy"].tolist()) == [0.8, 0.85, 0.9]
    assert "open in MLflow" not in str(runs.columns)  # the link column holds the URLs
    assert all(str(u).startswith(f"{tracking}/#/experiments/") for u in runs["link"])
    across = next(f for f in frames if "version" in f.columns and "accuracy" in f.columns)
    assert across.set_index("version").loc[2, "accuracy"] == "0.85 (n=3)"
    assert any("answer" in str(f.get("trace", "")) for f in frames if "trace" in f.columns)
    with count_requests() as again:
        at.run()
    assert again.count == 0  # a rerun reuses what the page load read


def test_a_version_used_nowhere_says_so(
    mlflow_server: Server, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    PromptRegistry(mlflow_server.url).create_prompt(unique_name, "Alone", "first")
    at = open_page(start_app(monkeypatch, mlflow_server.url), "prompt", prompt=unique_name)
    at.session_state[f"prompt_tabs:{unique_name}"] = "Runs & traces"
    at.run()
    assert any("was used nowhere yet" in i for i in texts(at, "info"))


def test_compare_side_by_side_with_a_thin_evidence_note(tracking: str, unique_name: str) -> None:
    seed_lineage(tracking, unique_name)
    lineage = LineageReader(PromptRegistry(tracking)).lineage(unique_name)
    rows = {r.metric: r for r in side_by_side(lineage, 1, 2)}
    assert rows["accuracy"].difference == pytest.approx(fmean([0.9, 0.8, 0.85]) - 0.6)
    assert rows["accuracy"].thin  # v1 rests on two runs


def test_gates_block_worse_or_thin_targets() -> None:
    def run(version: int, accuracy: float) -> LinkedRun:
        return LinkedRun(uuid.uuid4().hex, "r", "1", "e", "FINISHED", datetime.now(UTC),
                         (version,), {"accuracy": accuracy})  # fmt: skip

    lineage = Lineage("p", (run(1, 0.9), run(1, 0.9), run(1, 0.9), run(2, 0.5), run(2, 0.6)))
    gate = Gate(metric="accuracy", min_runs=3, not_worse_than_current=True)
    result = check_gate("production", gate, lineage, target=2, current=1)
    assert not result.passed
    assert "has 2 run(s) with accuracy; the gate asks for 3" in result.reasons[0]
    assert "worse than the current v1's" in result.reasons[1]
    assert check_gate("production", gate, lineage, target=1, current=2).passed
    with pytest.raises(ConfigError, match=r"promotion_gates.production.min_run"):
        load_gates({"promotion_gates": {"production": {"metric": "a", "min_run": 1}}})


def test_confirm_dialog_blocks_on_the_gate_and_records_an_override(
    tracking: str, unique_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_lineage(tracking, unique_name)
    settings = tmp_path / "promptui.yaml"
    settings.write_text(
        "protected_aliases: [production]\npromotion_gates:\n  production:\n"
        "    metric: accuracy\n    min_runs: 3\n    not_worse_than_current: true\n"
    )
    monkeypatch.setenv("PROMPTUI_SETTINGS_FILE", str(settings))
    registry = PromptRegistry(tracking)
    history = AliasHistory(registry)
    move_alias(registry, history, unique_name, "production", 2, expected=None, reason="seed")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking)
    at = AppTest.from_file(str(PROJECT_DIR / "app.py"), default_timeout=30)
    at.query_params.update({"prompt": unique_name})
    at.switch_page("pages/aliases.py").run()
    open_keyboard_panel(at)
    at.selectbox(key="aliases_kb_alias").select("production")
    at.selectbox(key="aliases_kb_to").select(1)
    at.button(key="aliases_kb_move").click().run()
    assert any("gate blocks this move" in e for e in texts(at, "error"))
    reason = next(t for t in at.text_input if t.label.startswith("Reason"))
    reason.input("hotfix")
    next(b for b in at.button if b.label == "Confirm").click().run()
    assert any("Override it" in e for e in texts(at, "error"))
    assert registry.get_aliases(unique_name)["production"] == 2  # blocked: nothing moved
    next(c for c in at.checkbox if c.label.startswith("Override the gate")).check().run()
    next(b for b in at.button if b.label == "Confirm").click().run()
    assert registry.get_aliases(unique_name)["production"] == 1
    newest = history.events(unique_name)[0]
    assert newest.reason.startswith("hotfix [gate overridden: v1 has 2 run(s)")


def test_an_evaluation_run_shows_its_scorer_results(tracking: str, unique_name: str) -> None:
    from mlflow.genai.scorers import scorer

    mlflow.genai.register_prompt(unique_name, "Hi {{q}}")
    mlflow.set_experiment(f"genai-eval-{unique_name}")

    @scorer
    def exact(outputs: str, expectations: dict[str, str]) -> float:
        return float(outputs == expectations["expected"])

    def predict(q: str) -> str:
        return str(mlflow.genai.load_prompt(f"prompts:/{unique_name}/1").format(q=q))

    data = [
        {"inputs": {"q": "a"}, "expectations": {"expected": "Hi a"}},
        {"inputs": {"q": "b"}, "expectations": {"expected": "Bye b"}},
    ]
    result = mlflow.genai.evaluate(data=data, predict_fn=predict, scorers=[exact])
    lineage = LineageReader(PromptRegistry(tracking)).lineage(unique_name)
    (run,) = lineage.runs_of(1)
    assert run.run_id == result.run_id
    assert version_metrics(lineage)[1]["exact/mean"].mean == pytest.approx(0.5)


def test_compare_page_evidence_when_opened(
    tracking: str, unique_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_lineage(tracking, unique_name)
    at = open_page(start_app(monkeypatch, tracking), "compare", prompt=unique_name, left=1, right=2)
    assert not [d for d in at.dataframe if "metric" in d.value.columns]  # not read until opened
    at.session_state[f"compare_evidence:{unique_name}"] = True
    at.run()
    assert not at.exception, at.exception
    (table,) = [d.value for d in at.dataframe if "metric" in d.value.columns]
    accuracy = table.set_index("metric").loc["accuracy"]
    assert (accuracy["v1 runs"], accuracy["v2 runs"]) == (2, 3)
    assert accuracy["v1 mean"] == pytest.approx(0.6)
    assert accuracy["difference"] == pytest.approx(0.85 - 0.6)
    assert any("Thin evidence" in c.value for c in at.caption)
