"""Model cards rendered from a model directory's own files, with Hub-valid metadata.

Everything a card states comes from the model directory: ``khabar_config.json`` (task, labels,
base model, how long inputs are read), ``run_config.yaml`` (name, description, data settings,
hyper-parameters, hub settings), ``data_summary.json`` (rows, labels, lengths, what was dropped),
``train_results.json`` (time, hardware, memory), ``eval_results.json`` (model and baseline scores
per split), ``khabar_preprocessing.json`` (the text preprocessing, in words) and ``config.json`` /
``generation_config.json``. Known data sets are described from :mod:`khabar.datasets_info`.
Nothing is hand-filled: a model without evaluation results gets a card that says so.

The flow, in the style of setfit's cards::

    info = ModelCardInfo.from_model_dir(model_dir)   # gather (and check) the files
    text = render_model_card(model_dir)              # metadata + Jinja template (model_cards/)
    validate_card(text, model_dir=model_dir)         # offline validation; raises CardError

The metadata block is built with :class:`huggingface_hub.ModelCardData` and
:class:`huggingface_hub.EvalResult` (``model-index``). ``ModelCard.validate()`` asks the Hub's
API, which is out of reach offline; :func:`validate_card` checks the same things locally:
the YAML parses into ``ModelCardData``, the required fields are there and well-formed, the
``model-index`` parses back into ``EvalResult`` objects that agree with ``eval_results.json``.
"""

from khabar.card.gather import (
    HUB_LICENSES,
    NO_EVAL_SENTENCE,
    SCRATCH_SENTENCE,
    CardError,
    ModelCardInfo,
)
from khabar.card.metadata import build_card_data
from khabar.card.render import render_model_card, template_names, write_model_card
from khabar.card.validate import validate_card
from khabar.model_dir import CARD_FILE

__all__ = [
    "CARD_FILE",
    "HUB_LICENSES",
    "NO_EVAL_SENTENCE",
    "SCRATCH_SENTENCE",
    "CardError",
    "ModelCardInfo",
    "build_card_data",
    "render_model_card",
    "template_names",
    "validate_card",
    "write_model_card",
]
