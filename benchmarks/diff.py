"""Benchmark promptui.diff.diff_lines against stdlib difflib on word tokens.

Run: .venv/bin/python benchmarks/diff.py
Prints the machine and a Markdown table (case, promptui ms, difflib ms, ratio).
"""

from __future__ import annotations

import difflib
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import Row, machine
from promptui.diff import diff_lines, stats

VOCAB_SIZE = 3000
WORST_CHARS = 100_000


def _vocabulary(rng: random.Random) -> list[str]:
    """Deterministic pseudo-words of 2-10 letters."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = {
        "".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(VOCAB_SIZE)
    }
    return sorted(words)


def worst_case(rng: random.Random) -> tuple[str, str, int]:
    """Two ~100,000-char single-line texts, a word changed every ~7 words (4-10 apart).

    Returns (a, b, number_of_edits).
    """
    vocab = _vocabulary(rng)
    rng.shuffle(vocab)
    # Zipf-like word frequencies, as in natural language (a few words are very common).
    weights = [1 / (rank + 1) for rank in range(len(vocab))]
    words: list[str] = []
    seps: list[str] = []
    length = 0
    while length < WORST_CHARS:
        word = rng.choices(vocab, weights)[0]
        sep = rng.choices([" ", ", ", ". ", "; "], weights=[85, 8, 6, 1])[0]
        words.append(word)
        seps.append(sep)
        length += len(word) + len(sep)
    edited = list(words)
    edits = 0
    pos = rng.randint(0, 6)
    while pos < len(edited):
        new = rng.choice(vocab)
        while new == edited[pos]:
            new = rng.choice(vocab)
        edited[pos] = new
        edits += 1
        pos += rng.randint(4, 10)
    a = "".join(w + s for w, s in zip(words, seps, strict=True))
    b = "".join(w + s for w, s in zip(edited, seps, strict=True))
    return a, b, edits


TYPICAL = """You are {{assistant_name}}, a support assistant for {{company}}.
Answer the customer's question using only the context below.

Rules:
- Be concise: at most {{max_sentences}} sentences.
- If the answer is not in the context, say "I don't know" and offer to escalate.
- Never reveal internal ticket numbers or employee names.
- Quote prices exactly as written, including the currency.
- Use the customer's language; default to English.
- Do not promise refunds; refer to the refund policy instead.
- Format lists with dashes, not numbers.

Context:
{{context}}

Previous conversation:
{{history}}

Customer question:
{{question}}

Before answering, check that every fact you state appears in the context.
If several documents disagree, prefer the most recent one and mention the conflict.
When the customer is angry, acknowledge the frustration in one short sentence first.
When the question is about shipping, include the expected delivery window.
When the question is about an order, ask for the order number if it is missing.
Keep a friendly, professional tone and avoid jargon.
End with a short question asking whether anything else is needed.
"""


def typical_case() -> tuple[str, str]:
    """A ~2 KB multi-line prompt and a version with a few edits."""
    a = (TYPICAL * 2)[:2048]
    b = a.replace("at most {{max_sentences}} sentences", "no more than {{max_sentences}} sentences")
    b = b.replace("Never reveal internal ticket numbers", "Never reveal ticket IDs")
    b = b.replace("- Format lists with dashes, not numbers.\n", "")
    b = b.replace(
        "Keep a friendly, professional tone",
        "Keep a warm, professional tone.\nMention the help center link when relevant.\nStay",
    )
    return a, b


def best_ms(fn: Callable[[], object], runs: int) -> float:
    """Best wall time of ``runs`` calls, in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best * 1000


_WORDS = re.compile(r"\w+|[^\w\s]")


def difflib_words(a: str, b: str) -> Callable[[], object]:
    """Stdlib baseline: SequenceMatcher on word and punctuation tokens (whitespace dropped)
    without the autojunk heuristic (with it, the worst case is one useless whole-block replace).

    Whitespace tokens are left out on purpose: as items they are so frequent that difflib
    becomes far slower still (about 90 s for the worst case on a 2-CPU machine).
    """
    ta, tb = _WORDS.findall(a), _WORDS.findall(b)
    return lambda: difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()


def cases() -> list[tuple[str, str, str, int, int]]:
    """(name, a, b, runs, difflib runs) of the worst and the typical case."""
    worst_a, worst_b, _ = worst_case(random.Random(0))
    typ_a, typ_b = typical_case()
    return [
        ("worst: 100,000-char line, word changed every ~7 words", worst_a, worst_b, 7, 1),
        ("typical: 2 KB multi-line prompt, few edits", typ_a, typ_b, 200, 20),
    ]


def measure(a: str, b: str, runs: int, difflib_runs: int) -> tuple[float, float]:
    """Best milliseconds of promptui's diff and of the difflib baseline on one case."""
    ours = best_ms(lambda: diff_lines(a, b), runs)
    theirs = best_ms(difflib_words(a, b), difflib_runs)
    return ours, theirs


def run() -> list[Row]:
    """Both cases as benchmark rows (naive: difflib on words, autojunk off)."""
    rows = []
    for name, a, b, runs, difflib_runs in cases():
        ours, theirs = measure(a, b, runs, difflib_runs)
        rows.append(Row(f"diff, {name} (naive: stdlib difflib)", ours, unit="ms", naive=theirs))
    return rows


def main() -> None:
    """Time both cases and print the table."""
    worst_a, worst_b, edits = worst_case(random.Random(0))
    typ_a, typ_b = typical_case()
    print(f"Machine: {machine()}")
    worst_stats = stats(diff_lines(worst_a, worst_b))
    print(
        f"Worst case: {len(worst_a):,} / {len(worst_b):,} chars, {edits} words changed; "
        f"diff finds {worst_stats.words_removed} removed, {worst_stats.words_added} added"
    )
    typ_stats = stats(diff_lines(typ_a, typ_b))
    print(
        f"Typical case: {len(typ_a):,} / {len(typ_b):,} chars, "
        f"{typ_a.count(chr(10))} lines; diff finds {typ_stats.lines_changed} changed rows"
    )
    print()
    print("| case | promptui ms | difflib ms | ratio |")
    print("|---|---:|---:|---:|")
    for case in cases():
        ours, theirs = measure(*case[1:])
        print(f"| {case[0]} | {ours:.2f} | {theirs:.2f} | {theirs / ours:.0f}x |")


if __name__ == "__main__":
    main()
