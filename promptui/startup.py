"""Import the app's modules once, in one thread, before any browser session uses them.

Streamlit runs each browser session's script in its own thread. Sessions that start at the same
moment on a fresh server would import MLflow's and promptui's mutually importing modules in
parallel, which Python reports as an import deadlock (`_DeadlockError`) or a half-initialised
module. `import_app_modules` serialises that first import behind a plain lock: the first session
imports everything; the others wait on the lock (holding no import lock) and find the modules
ready. This module imports nothing of MLflow or promptui at its top, so importing it in
parallel is safe.
"""

from __future__ import annotations

import gc
import importlib
import pkgutil
import threading

_LOCK = threading.Lock()
_done = False


def import_app_modules() -> None:
    """Import MLflow and every promptui module, once per process; later calls return at once.

    Makes no registry request. Safe to call from any number of threads at the same time.
    """
    global _done
    if _done:
        return
    with _LOCK:
        if _done:
            return
        import promptui

        importlib.import_module("mlflow")
        for module in pkgutil.walk_packages(promptui.__path__, prefix="promptui."):
            if module.name not in ("promptui.__main__", __name__):
                importlib.import_module(module.name)
        gc.collect()
        gc.freeze()
        _done = True
