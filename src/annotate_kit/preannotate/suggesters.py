"""Where a claim may start and end: the candidate spans a claim span categoriser scores.

spaCy's n-gram suggester offers every span up to n tokens: fine for cues (one to three tokens),
hopeless for claims (clauses of 5 to 60 tokens: one span per token and length). A claim, as the
rules and the guidelines cut it, runs between clause boundaries: it starts a sentence, or just
after a comma, semicolon, colon, quotation mark or bracket, or just after a complementizer
("that", "que"); it ends before one of these marks or before the sentence's final punctuation.
``clause_suggester`` offers every such (start, end) pair within a sentence of at most
``max_length`` tokens: a dozen spans a sentence, not hundreds.

Sentences are split here after ".", "!", "?" and "…" (not by the pipeline's parser), so the
candidates are the same in training (where frozen components do not run) and in use.

The suggester is registered with spaCy as ``annotate_kit.clause_suggester.v1`` when this module
is imported: pre-annotation imports it before loading a trained model (pipeline.py), and the
package declares it as a ``spacy_misc`` entry point for a plain ``spacy.load(MODEL_DIR)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from spacy.util import registry
from thinc.api import Ops, Ragged, get_current_ops

if TYPE_CHECKING:
    from spacy.tokens import Doc

NAME = "annotate_kit.clause_suggester.v1"
SENTENCE_ENDS = frozenset({".", "!", "?", "…"})
BOUNDARIES = frozenset({",", ";", ":", "(", ")", "«", "»", "“", "”", '"', "—", "–"})
MAX_LENGTH = 80


def clause_spans(
    doc: Doc, starters: frozenset[str], max_length: int = MAX_LENGTH
) -> list[tuple[int, int]]:
    """The candidate (start, end) token pairs of one Doc, in order."""
    found: list[tuple[int, int]] = []
    first = 0
    for i, token in enumerate(doc):
        if token.text in SENTENCE_ENDS or i == len(doc) - 1:
            found.extend(_sentence_spans(doc, first, i + 1, starters, max_length))
            first = i + 1
    return found


def _sentence_spans(
    doc: Doc, start: int, end: int, starters: frozenset[str], max_length: int
) -> list[tuple[int, int]]:
    starts, ends = {start}, set()
    last = end
    while last > start and doc[last - 1].is_punct and doc[last - 1].text not in BOUNDARIES:
        last -= 1  # the content end: before the final full stop
    ends.add(last)
    for i in range(start, last):
        text = doc[i].text
        if text in BOUNDARIES:
            starts.add(i + 1)
            ends.add(i)
        elif doc[i].lower_ in starters:
            starts.add(i + 1)
    return [
        (a, b)
        for a in sorted(starts)
        for b in sorted(ends)
        if a < b <= last and b - a <= max_length and not doc[a].is_punct
    ]


@registry.misc(NAME)
def build_clause_suggester(
    starters: Sequence[str] = ("that", "que", "qu'", "qu’"), max_length: int = MAX_LENGTH
) -> Callable[..., Ragged]:
    """A spaCy suggester: ``starters`` are the lower-cased words a claim may start after."""
    words = frozenset(starters)

    def suggest(docs: Iterable[Doc], *, ops: Ops | None = None) -> Ragged:
        ops = ops or get_current_ops()
        spans: list[tuple[int, int]] = []
        lengths = []
        for doc in docs:
            found = clause_spans(doc, words, max_length)
            spans.extend(found)
            lengths.append(len(found))
        data = ops.asarray2i(spans) if spans else ops.xp.zeros((0, 0), dtype="i")
        return Ragged(data, ops.asarray1i(lengths))

    return suggest
