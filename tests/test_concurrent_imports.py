"""Browser sessions that start at the same moment import the app's modules in parallel threads;
MLflow's and promptui's mutually importing modules then deadlocked (Python raises
`_DeadlockError` or finds a half-initialised module). `app.py` first calls
`promptui.startup.import_app_modules`, which imports them once behind a lock. Checked in fresh
interpreters, as a server starts, with each thread doing what `app.py` does first."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.servers import PROJECT_DIR

# What the first lines of different pages import, started together by a barrier.
SCRIPT = """
import importlib, threading, traceback
import streamlit  # as in the app's server, which imports Streamlit before any page
targets = ["promptui.ui.state", "promptui.aliases", "promptui.ui.insights", "promptui.drafts",
           "promptui.files.importing", "promptui.ui.editor"]
barrier = threading.Barrier(len(targets))
errors = []
def load(name):
    barrier.wait()
    try:
        from promptui.startup import import_app_modules
        import_app_modules()
        importlib.import_module(name)
    except Exception:
        errors.append(traceback.format_exc(limit=1))
threads = [threading.Thread(target=load, args=(t,)) for t in targets]
for t in threads: t.start()
for t in threads: t.join()
print("ERRORS" if errors else "OK", *errors)
"""


def test_pages_starting_together_import_without_deadlock() -> None:
    for _ in range(5):
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.stdout.startswith("OK"), done.stdout + done.stderr


def test_every_page_imports_the_app_modules_first() -> None:
    """A fresh server runs a requested page's file directly (without `app.py`) when that URL is
    its first request, so each page's first statements must be the guarded import."""
    scripts = [PROJECT_DIR / "app.py", *sorted((PROJECT_DIR / "pages").glob("*.py"))]
    assert len(scripts) > 5
    for script in scripts:
        body = ast.parse(script.read_text()).body
        first, second = body[1], body[2]  # after the docstring
        assert isinstance(first, ast.ImportFrom) and first.module == "promptui.startup", script
        assert isinstance(second, ast.Expr) and isinstance(second.value, ast.Call), script
        assert ast.unparse(second.value) == "import_app_modules()", script
