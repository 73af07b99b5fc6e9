"""Export: prompts from a registry into prompt files (`NAME.yaml`), the same bytes each time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from promptui.files.format import PromptFile, dump, file_from_detail
from promptui.registry.models import PromptDetail
from promptui.registry.service import PromptRegistry

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


def read_prompts(
    registry: PromptRegistry, names: Sequence[str] = (), *, progress: Progress = _quiet
) -> list[PromptDetail]:
    """The named prompts (two requests each), or every prompt with every version (one request
    per 1,000 prompts plus one per 10,000 versions). NotFoundError for a missing name."""
    if not names:
        return registry.all_prompts()
    out = []
    for name in dict.fromkeys(names):
        progress(name)
        out.append(registry.get_prompt(name))
    return out


def export_files(
    registry: PromptRegistry, names: Sequence[str] = (), *, progress: Progress = _quiet
) -> list[PromptFile]:
    """Prompt files for the named prompts, or for all of them, sorted by name."""
    details = read_prompts(registry, names, progress=progress)
    return sorted((file_from_detail(d) for d in details), key=lambda f: f.name)


def write_files(
    files: Sequence[PromptFile], directory: Path, *, progress: Progress = _quiet
) -> list[Path]:
    """Write each prompt to `DIRECTORY/NAME.yaml` (the folder is created; other files stay)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for prompt in files:
        progress(prompt.name)
        path = directory / prompt.file_name
        path.write_text(dump(prompt), encoding="utf-8")
        written.append(path)
    return written
