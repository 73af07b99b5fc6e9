"""Word-level and line-level diffs of prompt templates.

Pure functions only (no Streamlit, no MLflow). The engine works in two levels:

1. lines are aligned with an LCS diff; changed lines inside a replaced block are paired by
   similarity;
2. inside each changed line pair, words are aligned with an LCS diff on tokens.

Word alignment is done on "coarse" tokens (a word or punctuation mark together with its
trailing whitespace, compared without that whitespace), which halves the token count of the
quadratic step. Each changed region is then refined on fine tokens (words, whitespace runs and
punctuation separately). Joining the segments of either side always rebuilds that side exactly.
"""

from promptui.diff.chat import apply_chat, diff_chat
from promptui.diff.lines import apply_rows, diff_lines, stats, unified_diff
from promptui.diff.mappings import diff_mapping, diff_variables
from promptui.diff.types import (
    DiffStats,
    KeyChange,
    MessageDiff,
    MessageKind,
    Op,
    Row,
    RowKind,
    Segment,
    VariableChange,
)
from promptui.diff.words import diff_words, tokenize

__all__ = [
    "DiffStats",
    "KeyChange",
    "MessageDiff",
    "MessageKind",
    "Op",
    "Row",
    "RowKind",
    "Segment",
    "VariableChange",
    "apply_chat",
    "apply_rows",
    "diff_chat",
    "diff_lines",
    "diff_mapping",
    "diff_variables",
    "diff_words",
    "stats",
    "tokenize",
    "unified_diff",
]
