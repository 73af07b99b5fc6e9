"""The command line: `promptui demo | export | import | promote | check` (`python -m promptui`).

Exit codes: 0 done (or the check passed), 1 something could not be done (a conflict, a failed
check, an unreachable registry), 2 bad input (unreadable or invalid files, unknown options).
Progress goes to stderr; results to stdout (`--json` for CI where offered).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from promptui.aliases.history import AliasHistory
from promptui.config import load_settings
from promptui.demo import seed_demo
from promptui.files.checking import check_config
from promptui.files.exporting import export_files, write_files
from promptui.files.format import read_dir
from promptui.files.importing import apply_import, plan_import
from promptui.files.promoting import promote
from promptui.registry.errors import ConfigError, InvalidInputError, PromptUIError
from promptui.registry.service import PromptRegistry

err = Console(stderr=True)


def _user() -> str | None:
    return os.environ.get("PROMPTUI_USER") or getpass.getuser() or None


def _registry(uri: str | None) -> PromptRegistry:
    return PromptRegistry(uri, timeout_s=load_settings().request_timeout_s)


@contextmanager
def _progress(what: str, total: int | None) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr; the callback advances it by one, naming the item."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
        task = bar.add_task(what, total=total)

        def step(item: str) -> None:
            bar.update(task, advance=1, description=f"{what} {item}")

        yield step


def _demo(args: argparse.Namespace) -> int:
    registry = _registry(args.tracking_uri)
    created = seed_demo(registry)
    what = ", ".join(created) if created else "nothing (demo prompts already present)"
    print(f"Seeded {what} in {registry.display_uri}")
    return 0


def _export(args: argparse.Namespace) -> int:
    registry = _registry(args.tracking_uri)
    with _progress("reading", len(args.prompt) or None) as step:
        files = export_files(registry, args.prompt, progress=step)
    with _progress("writing", len(files)) as step:
        paths = write_files(files, Path(args.dir), progress=step)
    versions = sum(len(f.versions) for f in files)
    print(f"Exported {len(paths)} prompt(s), {versions} version(s), to {args.dir}")
    return 0


def _import(args: argparse.Namespace) -> int:
    files = read_dir(Path(args.dir))
    registry = _registry(args.tracking_uri)
    plan = plan_import(registry, files)
    print(plan.as_json() if args.json else "\n".join(plan.lines()))
    if args.dry_run:
        return 1 if plan.conflicts else 0
    with _progress("importing", len(plan.prompts)) as step:
        failed = apply_import(
            registry,
            AliasHistory(registry),
            plan,
            files,
            reason=args.reason,
            user=_user(),
            progress=step,
        )
    for line in failed:
        err.print(f"failed: {line}", markup=False, highlight=False, soft_wrap=True)
    done = len([p for p in plan.prompts if p.changes]) - len(failed)
    print(f"Imported {done} prompt(s); {len(plan.conflicts)} conflict(s), {len(failed)} failed")
    return 1 if plan.conflicts or failed else 0


def _promote(args: argparse.Namespace) -> int:
    result = promote(
        _registry(args.source), _registry(args.target), args.ref, reason=args.reason, user=_user()
    )
    made = "copied as" if result.created else "already the newest,"
    moved = (
        "already there"
        if result.previous == result.target_version
        else (f"moved from {'v' + str(result.previous) if result.previous else '(none)'}")
    )
    print(
        f"{result.name} v{result.source_version} {made} v{result.target_version} on the target; "
        f"{result.alias} {moved}"
    )
    return 0


def _check(args: argparse.Namespace) -> int:
    variables = None
    if args.vars is not None:
        variables = [v.strip() for v in args.vars.split(",") if v.strip()]
    report = check_config(
        args.config,
        variables=variables,
        tracking_uri=args.tracking_uri,
        env=os.environ,
        timeout_s=load_settings().request_timeout_s,
    )
    print(report.as_json() if args.json else "\n".join(report.lines()))
    return 0 if report.ok else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="promptui",
        description="Prompts in an MLflow Prompt Registry: demo data, files, promotion, checks.",
        epilog="Exit codes: 0 done, 1 could not be done (conflict, failed check, unreachable "
        "registry), 2 bad input.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    uri_help = "the registry (default: MLFLOW_TRACKING_URI, else the embedded one)"

    demo = sub.add_parser("demo", help="seed the guide's demo prompts (idempotent)")
    demo.add_argument("--tracking-uri", default=None, help=uri_help)
    demo.set_defaults(run=_demo)

    export = sub.add_parser("export", help="write prompts to NAME.yaml files")
    export.add_argument("dir", help="the folder to write to (created when missing)")
    export.add_argument(
        "--prompt", action="append", default=[], metavar="NAME", help="only this prompt (repeat)"
    )
    export.add_argument("--tracking-uri", default=None, help=uri_help)
    export.set_defaults(run=_export)

    imp = sub.add_parser("import", help="make the registry hold what prompt files say")
    imp.add_argument("dir", help="a folder of NAME.yaml files, or one file")
    imp.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    imp.add_argument("--reason", default="", help="recorded with alias moves (protected: needed)")
    imp.add_argument("--json", action="store_true", help="the plan as JSON")
    imp.add_argument("--tracking-uri", default=None, help=uri_help)
    imp.set_defaults(run=_import)

    prom = sub.add_parser("promote", help="copy NAME@ALIAS from one registry to another")
    prom.add_argument("ref", metavar="NAME@ALIAS")
    prom.add_argument("--from", dest="source", required=True, metavar="URI")
    prom.add_argument("--to", dest="target", required=True, metavar="URI")
    prom.add_argument("--reason", default="", help="recorded in the target's alias history")
    prom.set_defaults(run=_promote)

    check = sub.add_parser("check", help="will this config load its prompt? (for CI)")
    check.add_argument("config", help="a config file, or an environment name (dev, staging, prod)")
    check.add_argument("--vars", default=None, help="the variables the application fills: a,b")
    check.add_argument("--json", action="store_true", help="the report as JSON")
    check.add_argument("--tracking-uri", default=None, help=uri_help)
    check.set_defaults(run=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code (see the module docstring)."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except (InvalidInputError, ConfigError) as e:
        err.print(f"error: {e.message}", markup=False, highlight=False, soft_wrap=True)
        return 2
    except PromptUIError as e:
        err.print(f"error: {e.message}", markup=False, highlight=False, soft_wrap=True)
        return 1


if __name__ == "__main__":
    sys.exit(main())
