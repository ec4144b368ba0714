"""A Doc's token attributes as plain lists, read once per Doc for every rule that uses them.

The rules look attributes up token by token (LOWER, LEMMA, MORPH, TAG, LIKE_NUM...).
``Doc.to_array`` reads several in one C call, and plain lists beat numpy on segments of a few
dozen tokens. ``preannotate_batch`` reads the attributes a pipeline's rules use
(``LanguageKit.columns``) in one call per Doc; ``column`` reads one more when a rule needs it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from spacy.attrs import IDS

if TYPE_CHECKING:
    from spacy.tokens import Doc

KEY = "annotate_kit_columns"
RULE_COLUMNS = ("LEMMA", "LIKE_NUM", "LOWER", "MORPH", "TAG")  # beside the matchers' own


def read(doc: Doc, attrs: Iterable[str]) -> dict[str, list[int]]:
    """The Doc's columns cache, with ``attrs`` in it (those missing read in one call)."""
    cache = doc.user_data.get(KEY)
    if cache is None:
        cache = doc.user_data[KEY] = {}
    missing = [attr for attr in attrs if attr not in cache]
    if missing:
        array = doc.to_array([IDS[attr] for attr in missing]).reshape(len(doc), len(missing))
        for attr, values in zip(missing, array.T.tolist(), strict=True):
            cache[attr] = values
    return cache


def column(doc: Doc, attr: str) -> list[int]:
    """One attribute of every token (string hashes, flags as 0/1)."""
    cache = doc.user_data.get(KEY)
    if cache is not None and attr in cache:
        return cache[attr]
    return read(doc, (attr,))[attr]
