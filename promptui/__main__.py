"""Command line: `python -m promptui demo` seeds the demo prompts into the configured registry."""

from __future__ import annotations

import argparse
import sys

from promptui.demo import seed_demo
from promptui.registry import PromptRegistry
from promptui.registry.errors import PromptUIError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m promptui")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="seed the guide's demo prompts (idempotent)")
    demo.add_argument(
        "--tracking-uri", default=None, help="default: MLFLOW_TRACKING_URI or embedded"
    )
    args = parser.parse_args(argv)
    registry = PromptRegistry(args.tracking_uri)
    try:
        created = seed_demo(registry)
    except PromptUIError as e:
        print(f"error: {e.message}", file=sys.stderr)
        return 1
    what = ", ".join(created) if created else "nothing (demo prompts already present)"
    print(f"Seeded {what} in {registry.display_uri}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
