"""The spaCy training config that ``annotate-kit train`` generates (kept in MODEL_DIR).

The pipeline is the language's installed pipeline (``fr_core_news_sm``), every component
sourced from it and frozen, so the rules keep their tagger, parser and lemmatizer; then:

- ``ner`` for entities: the base's own ``ner`` (sourced, trained further: it starts from what it
  knows, new labels such as DATE and QUANTITY are added as it meets them), or a new one
  listening to the shared tok2vec where the base has none;
- ``spancat`` for cues (``doc.spans["cues"]``, overlapping spans allowed): spaCy's
  ``spancat_singlelabel`` (one type per span, a softmax with a "no cue" class whose loss is
  weighted by ``NEGATIVE_WEIGHT``) over an n-gram suggester as long as 98 % of the training
  cues need (``NGRAM_COVERAGE``, at most ``MAX_NGRAM``). On 400 Szeged Wikipedia documents it
  reached cue F1 0.63 on dev in 8 epochs where the multi-label ``spancat`` (sigmoid per label,
  which first learns to predict nothing) reached 0.38, at the same cost.

The new components do not embed the text themselves: they listen to one tok2vec
(``spacy.Tok2VecListener.v1``): by default (``tok2vec="own"``) a small tok2vec of our own
(``tok2vec_block``), trained with them and shared, one for all layers; with ``"base"`` the base
pipeline's (``fr_core_news_sm``, ``en_core_web_sm``: the one their tagger and parser run),
frozen and annotating during training (``annotating_components``): cheapest, but on 1,000
Szeged documents cue F1 0.697 against 0.768 with our own (bench/README.md).

Without an installed pipeline the base is spaCy's blank pipeline plus a ``sentencizer``. An
epoch is a fixed number of batches (``batch_by_sequence``), so ``eval_frequency`` is one epoch
and spaCy's ``patience`` counts epochs (at least ``MIN_PATIENCE_STEPS`` updates).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from thinc.api import Config

from annotate_kit.errors import TrainingError

MAX_NGRAM = 3  # Szeged Wikipedia: 97.4 % of cues are one token, 98.7 % at most two, 99.7 % three
# Each n-gram size adds a candidate span per token, and scoring candidates is most of what a
# spancat costs: sizes cover 98 % of the training cues (two tokens on Szeged Wikipedia).
NGRAM_COVERAGE = 0.98
NEGATIVE_WEIGHT = 0.5
# Early stopping waits at least this many updates: on a few dozen documents an epoch is a
# handful of steps, and a span categoriser first learns to predict nothing.
MIN_PATIENCE_STEPS = 200
SCORES = {"entities": "ents_f", "cues": "spans_cues_f", "claims": "spans_claims_f"}
COMPONENTS = {"entities": "ner", "cues": "spancat", "claims": "spancat_claims"}
SPAN_LAYERS = ("cues", "claims")
TOK2VEC = "tok2vec"
OWN_TOK2VEC = "tok2vec_own"  # our own beside a base pipeline's tok2vec
TOK2VEC_CHOICES = ("own", "base")
OWN_WIDTH = 32  # our own tok2vec (blank base)
REDUCER_WIDTH = 64  # the span reducer's hidden layer

TEMPLATE = """
[paths]
train = null
dev = null

[system]
seed = 0
gpu_allocator = null

[nlp]
lang = "en"
pipeline = []
batch_size = 256

[components]

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}
max_length = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}
max_length = 0

[training]
seed = ${system.seed}
gpu_allocator = ${system.gpu_allocator}
dropout = 0.1
accumulate_gradient = 1
patience = 0
max_epochs = 0
max_steps = 0
eval_frequency = 100
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null

[training.batcher]
@batchers = "spacy.batch_by_sequence.v1"
size = 32
get_length = null

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = false
eps = 0.00000001
learn_rate = 0.001

[training.score_weights]

[pretraining]

[initialize]
vectors = null
init_tok2vec = null

[initialize.components]

[initialize.tokenizer]
"""


def tok2vec_block(width: int = OWN_WIDTH, depth: int = 2) -> dict[str, Any]:
    """A small CNN tok2vec of our own (blank base), far cheaper than spaCy's 96 x 4."""
    return {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {
            "@architectures": "spacy.MultiHashEmbed.v2",
            "width": width,
            "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
            "rows": [5000, 1000, 2500, 2500],
            "include_static_vectors": False,
        },
        "encode": {
            "@architectures": "spacy.MaxoutWindowEncoder.v2",
            "width": width,
            "depth": depth,
            "window_size": 1,
            "maxout_pieces": 3,
        },
    }


def listener(width: int, upstream: str = TOK2VEC) -> dict[str, Any]:
    """The tok2vec input of a new component: the pipeline's ``upstream`` tok2vec component."""
    return {"@architectures": "spacy.Tok2VecListener.v1", "width": width, "upstream": upstream}


def ngram_size(lengths: Sequence[int]) -> int:
    """The n-gram suggester's longest size: enough for ``NGRAM_COVERAGE`` of the training
    spans' token lengths, at most ``MAX_NGRAM`` (each extra size adds a span per token)."""
    if not lengths:
        return 1
    ordered = sorted(lengths)
    needed = ordered[min(len(ordered) - 1, math.ceil(NGRAM_COVERAGE * len(ordered)) - 1)]
    return max(1, min(needed, MAX_NGRAM))


def spancat_block(layer: str, suggester: dict, width: int, upstream: str) -> dict:
    """A ``spancat_singlelabel`` for ``doc.spans[layer]``, listening to the shared tok2vec."""
    return {
        "factory": "spancat_singlelabel",
        "spans_key": layer,
        "negative_weight": NEGATIVE_WEIGHT,
        "allow_overlap": True,
        "suggester": suggester,
        "model": {
            "@architectures": "spacy.SpanCategorizer.v1",
            "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": REDUCER_WIDTH},
            "scorer": {"@layers": "Softmax.v2", "nO": None, "nI": None},
            "tok2vec": listener(width, upstream),
        },
    }


def training_config(
    *,
    lang: str,
    base: str | None,
    base_components: tuple[Sequence[str], Sequence[str]],
    layers: dict[str, list[str]],
    suggesters: dict[str, dict[str, Any]],
    seed: int,
    train_segments: int,
    batch_size: int,
    max_epochs: int,
    patience: int,
    base_width: int | None = None,
    tok2vec: str = "own",
) -> Config:
    """A complete config: ``base_components`` are the base pipeline's components and the
    disabled ones among them (empty for blank); ``base_width`` the width of its ``tok2vec``
    (None: it has none); ``suggesters`` a spaCy suggester block per span layer; ``tok2vec``
    what the new components listen to: ``own`` (a small tok2vec trained with them) or ``base``
    (the base pipeline's, frozen; ``own`` where the base has none)."""
    if tok2vec not in TOK2VEC_CHOICES:
        raise TrainingError(f"unknown tok2vec {tok2vec!r}: use {' or '.join(TOK2VEC_CHOICES)}")
    base_components, disabled = base_components
    config = Config().from_str(TEMPLATE, interpolate=False)
    config["nlp"]["disabled"] = list(disabled)
    config["nlp"]["lang"] = lang
    config["system"]["seed"] = seed
    components: dict[str, Any] = {}
    pipeline: list[str] = []
    frozen: list[str] = []
    annotating: list[str] = []
    for name in base_components:
        components[name] = {"source": base}
        pipeline.append(name)
        if not (name == "ner" and "entities" in layers):
            frozen.append(name)
    if base is None:
        components["sentencizer"] = {"factory": "sentencizer"}
        pipeline.append("sentencizer")
        frozen.append("sentencizer")
    new = [layer for layer in layers if layer != "entities" or "ner" not in base_components]
    width, upstream = base_width or OWN_WIDTH, TOK2VEC
    if new and (tok2vec == "own" or TOK2VEC not in base_components or base_width is None):
        width = OWN_WIDTH
        upstream = OWN_TOK2VEC if TOK2VEC in base_components else TOK2VEC
        components[upstream] = {"factory": "tok2vec", "model": tok2vec_block(width)}
        pipeline.append(upstream)
    elif new:
        annotating.append(TOK2VEC)  # frozen: it feeds the listeners without learning
    if "entities" in new:
        components["ner"] = {
            "factory": "ner",
            "model": {
                "@architectures": "spacy.TransitionBasedParser.v2",
                "state_type": "ner",
                "extra_state_tokens": False,
                "hidden_width": 64,
                "maxout_pieces": 2,
                "use_upper": True,
                "nO": None,
                "tok2vec": listener(width, upstream),
            },
        }
        pipeline.append("ner")
    for layer in SPAN_LAYERS:
        if layer in layers:
            name = COMPONENTS[layer]
            components[name] = spancat_block(layer, suggesters[layer], width, upstream)
            config["initialize"]["components"][name] = {"labels": list(layers[layer])}
            pipeline.append(name)
    config["nlp"]["pipeline"] = pipeline
    config["components"] = components
    steps = max(1, math.ceil(train_segments / batch_size))
    training = config["training"]
    training["frozen_components"] = frozen
    training["annotating_components"] = annotating
    training["batcher"]["size"] = batch_size
    training["eval_frequency"] = steps
    training["patience"] = max(patience * steps, MIN_PATIENCE_STEPS) if patience else 0
    training["max_epochs"] = max_epochs
    training["score_weights"] = {SCORES[layer]: round(1 / len(layers), 4) for layer in layers}
    return config
