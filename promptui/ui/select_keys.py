"""Keys for selects whose option labels can change while the page stays open.

A select's browser side keeps the label it last showed and sends it back on every rerun. When
the labels change under the same key (an alias moved, so `v4 · latest` became
`v4 · champion · latest`), that label matches no option any more, and Streamlit hands the
label itself to the page instead of the option: a page that expects a version number then
fails. Keying such a select by its labels makes changed labels a new widget, drawn at its
default.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable


def labelled_key(key: str, labels: Iterable[str]) -> str:
    """`key` followed by a short digest of `labels` (the options as shown, in order). Pure."""
    encoded = json.dumps(list(labels), ensure_ascii=False).encode("utf-8", "surrogatepass")
    digest = hashlib.blake2s(encoded, digest_size=6).hexdigest()
    return f"{key}:{digest}"
