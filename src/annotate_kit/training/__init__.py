"""Training: gold records become a spaCy pipeline that suggests the scheme's spans.

Takes: an exported dataset folder (its ``default`` config) or records files. Gives: MODEL_DIR,
a spaCy pipeline folder (``ner`` for entities, ``spancat`` for cues, on top of the language's
installed pipeline) with ``config.cfg`` and ``annotate_kit.json`` (scheme version, labels, data
fingerprint, validation scores), which pre-annotation loads as a model (preannotate/model.py);
and the model-against-rules table. Imports: errors, scheme, io, preannotate, validate,
agreement, export.
"""

from annotate_kit.training.data import TrainingData, load_training_data
from annotate_kit.training.loop import Epoch, TrainResult, train_model

__all__ = ["Epoch", "TrainResult", "TrainingData", "load_training_data", "train_model"]
