"""Linguistic conditions on a lexicon entry ("may" only as an auxiliary), read from the data.

A lexicon group or entry may carry ``when``: one condition, or a list of alternatives (any
one suffices). A condition is a dict over the cue's first matched token; every key must hold:

==================  ==========================================  =================
key                 holds when the token ...                    needs
==================  ==========================================  =================
``pos``/``not_pos`` has / has not one of these UPOS tags        pos
``tag``/``not_tag`` has / has not one of these fine tags        pos
``morph``           carries every one of these features         morph
``not_morph``       carries none of these features              morph
``dep``/``not_dep`` has / has not one of these relations        dep
``lower``           is one of these lower-cased words           nothing
``not_lower``       is none of these                            nothing
``is_lower``        is written in lower case (true/false)       nothing
``like_num``        looks like a number (true/false)            nothing
``quote_in_sent``   its sentence holds a quotation mark         nothing
``head``            its syntactic head meets this condition     dep + the inner
``child``           some dependent meets this condition         dep + the inner
``no_child``        no dependent meets this condition           dep + the inner
``prev``/``next``   the token before / after meets it           the inner
``not_prev``        the token before does not meet it           the inner
``not_next``        the token after does not meet it            the inner
``sent_has``        another token of its sentence meets it      the inner
``sent_lacks``      no other token of its sentence meets it     the inner
==================  ==========================================  =================

An entry may also give ``blank_when``: the conditions to use instead where the pipeline sets
none of what ``when`` needs (a blank pipeline has no tagger nor parser). An entry whose
``when`` cannot be evaluated and that has no usable ``blank_when`` is not used; the kit says
so once (W504).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotate_kit.errors import PreannotationError

if TYPE_CHECKING:
    from spacy.tokens import Token

Condition = tuple[tuple[str, Any], ...]  # frozen form of one condition dict

TOKEN_KEYS = {
    "pos": "pos",
    "not_pos": "pos",
    "tag": "pos",
    "not_tag": "pos",
    "morph": "morph",
    "not_morph": "morph",
    "dep": "dep",
    "not_dep": "dep",
    "lower": None,
    "not_lower": None,
    "is_lower": None,
    "like_num": None,
    "quote_in_sent": None,
}
NESTED_KEYS = {
    "head": "dep",
    "child": "dep",
    "no_child": "dep",
    "prev": None,
    "next": None,
    "not_prev": None,
    "not_next": None,
    "sent_has": None,
    "sent_lacks": None,
}
QUOTES = frozenset('"“”«»')


def freeze(spec: Any, where: str) -> tuple[Condition, ...]:
    """A ``when`` value (dict or list of dicts) as hashable alternatives; errors name ``where``."""
    alternatives = spec if isinstance(spec, list) else [spec]
    return tuple(_freeze_one(alt, where) for alt in alternatives)


def _freeze_one(cond: Any, where: str) -> Condition:
    if not isinstance(cond, dict) or not cond:
        raise PreannotationError(f"{where}: a condition must be a non-empty object, got {cond!r}")
    items = []
    for key, value in cond.items():
        if key in NESTED_KEYS:
            items.append((key, _freeze_one(value, f"{where}.{key}")))
        elif key in TOKEN_KEYS:
            items.append((key, tuple(value) if isinstance(value, list) else value))
        else:
            known = ", ".join(sorted({*TOKEN_KEYS, *NESTED_KEYS}))
            raise PreannotationError(f"{where}: unknown condition {key!r} (known: {known})")
    return tuple(items)


def needs(cond: Condition) -> frozenset[str]:
    """The pipeline annotations a condition reads (pos, morph, dep)."""
    found: set[str] = set()
    for key, value in cond:
        need = TOKEN_KEYS.get(key) or NESTED_KEYS.get(key)
        if need:
            found.add(need)
        if key in NESTED_KEYS:
            found |= needs(value)
    return frozenset(found)


def usable(alternatives: tuple[Condition, ...], annotations: frozenset[str]) -> bool:
    return all(needs(cond) <= annotations for cond in alternatives)


def holds(token: Token, alternatives: tuple[Condition, ...]) -> bool:
    """Does any alternative hold for ``token``? (No alternatives: always.)"""
    return not alternatives or any(_holds(token, cond) for cond in alternatives)


def _holds(token: Token | None, cond: Condition) -> bool:
    if token is None:
        return False
    for key, value in cond:
        if key == "pos" and token.pos_ not in value:
            return False
        if key == "not_pos" and token.pos_ in value:
            return False
        if key == "tag" and token.tag_ not in value:
            return False
        if key == "not_tag" and token.tag_ in value:
            return False
        if key in ("morph", "not_morph"):
            features = set(str(token.morph).split("|"))
            if key == "morph" and not set(value) <= features:
                return False
            if key == "not_morph" and set(value) & features:
                return False
        if key == "dep" and token.dep_ not in value:
            return False
        if key == "not_dep" and token.dep_ in value:
            return False
        if key == "lower" and token.lower_ not in value:
            return False
        if key == "not_lower" and token.lower_ in value:
            return False
        if key == "is_lower" and token.is_lower != value:
            return False
        if key == "like_num" and token.like_num != value:
            return False
        if key == "quote_in_sent" and any(c in QUOTES for c in token.sent.text) != value:
            return False
        if key in NESTED_KEYS and not _nested(token, key, value):
            return False
    return True


def _nested(token: Token, key: str, cond: Condition) -> bool:
    doc = token.doc
    if key == "head":
        return token.head is not token and _holds(token.head, cond)
    if key in ("child", "no_child"):
        found = any(_holds(child, cond) for child in token.children)
        return found if key == "child" else not found
    if key in ("sent_has", "sent_lacks"):
        found = any(_holds(other, cond) for other in token.sent if other.i != token.i)
        return found if key == "sent_has" else not found
    neighbour = key.removeprefix("not_")
    index = token.i - 1 if neighbour == "prev" else token.i + 1
    other = doc[index] if 0 <= index < len(doc) else None
    result = _holds(other, cond)
    return not result if key.startswith("not_") else result
