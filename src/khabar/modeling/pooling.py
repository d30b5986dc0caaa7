"""Mean pooling that a plain ``*ForSequenceClassification`` model runs: one fixed averaging layer.

BERT-family classification heads read the first token's state (``[CLS]``/``<s>``). Embedding
models such as E5 were trained to be read by the mask-weighted mean of the last layer's token
states instead. ``transformers`` has no BERT classifier that pools by the mean, and a custom head
would need ``trust_remote_code``. So khabar appends one more encoder layer of the checkpoint's own
class whose weights make it compute the mean:

- query and key projections are zero, so every attention score is 0 and the softmax spreads
  evenly over the tokens the attention mask keeps (padding gets none);
- the value projection is the identity and the output projection ``scale`` times the identity,
  so the attention output at every position is ``scale`` × the masked mean of the states; the
  residual adds the position's own state (about ``|state| / (scale × |mean|)`` of the sum, under
  1% for token states of one text), and the layer norm (weight 1, bias 0) turns it into
  ``LayerNorm(mean)``;
- the feed-forward weights are zero, so its output is 0 and the second layer norm keeps the
  (already normalised) vector.

The head (the checkpoint's pooler, then the classifier) then reads ``LayerNorm(mean)`` at the
first position, as it reads ``[CLS]``. The layer's weights are fixed (no gradient); in training
the config's dropout applies to it as to every layer, at inference nothing does. The
saved model is the checkpoint's own class with one layer more, and ``pipeline()`` reads it like
any other. ``config.json`` records the layer (:data:`MEAN_POOLING_KEY`) so that training from a
model that has it does not add a second one.
"""

from __future__ import annotations

import copy
from typing import Any

from khabar._logging import get_logger
from khabar.errors import ConfigError

logger = get_logger(__name__)

__all__ = [
    "MEAN_POOLING_KEY",
    "add_mean_pooling_layer",
    "apply_pooling",
    "has_mean_pooling_layer",
]

MEAN_POOLING_KEY = "khabar_mean_pooling_layer"
"""``config.json`` key: the index of the encoder layer that averages the token states."""

DEFAULT_SCALE = 1000.0
"""Output projection of the averaging layer: the mean outweighs the position's own state."""


def has_mean_pooling_layer(net: Any) -> bool:
    """Whether ``net`` already ends with khabar's averaging layer."""
    return getattr(net.config, MEAN_POOLING_KEY, None) is not None


def add_mean_pooling_layer(net: Any, *, scale: float = DEFAULT_SCALE) -> None:
    """Append the fixed mean-pooling layer to a BERT-family classifier, in place.

    Raises:
        ConfigError: the model's encoder is not a stack of BERT-style layers (``model.pooling``).
    """
    import torch

    encoder = getattr(net.base_model, "encoder", None)
    layers = getattr(encoder, "layer", None)
    if not isinstance(layers, torch.nn.ModuleList) or len(layers) == 0:
        raise ConfigError(
            f"mean pooling needs a BERT-style encoder (encoder.layer); {type(net).__name__} "
            "has none: use pooling: cls",
            key="model.pooling",
        )
    layer: Any = copy.deepcopy(layers[-1])
    try:
        attention, output = layer.attention.self, layer.attention.output
        zero = [attention.query, attention.key, layer.intermediate.dense, layer.output.dense]
        identity = [(attention.value, 1.0), (output.dense, scale)]
        norms = [output.LayerNorm, layer.output.LayerNorm]
    except AttributeError as err:
        raise ConfigError(
            f"mean pooling needs BERT-style layers; {type(layers[-1]).__name__} has no {err.name}",
            key="model.pooling",
        ) from None
    with torch.no_grad():
        for linear in zero:
            linear.weight.zero_()
            if linear.bias is not None:
                linear.bias.zero_()
        for linear, factor in identity:
            if linear.weight.shape[0] != linear.weight.shape[1]:
                raise ConfigError(
                    f"mean pooling needs square value/output projections in "
                    f"{type(layers[-1]).__name__}",
                    key="model.pooling",
                )
            linear.weight.copy_(factor * torch.eye(linear.weight.shape[0]))
            if linear.bias is not None:
                linear.bias.zero_()
        for norm in norms:
            norm.weight.fill_(1.0)
            if norm.bias is not None:
                norm.bias.zero_()
    layer.requires_grad_(False)
    if hasattr(attention, "layer_idx"):
        attention.layer_idx = len(layers)
    layers.append(layer)
    net.config.num_hidden_layers = len(layers)
    setattr(net.config, MEAN_POOLING_KEY, len(layers) - 1)
    logger.info(
        "mean pooling: layer %d (fixed) averages the token states of layer %d for the head",
        len(layers),
        len(layers) - 1,
    )


def apply_pooling(net: Any, pooling: str) -> None:
    """Give a freshly loaded checkpoint classifier the pooling ``model.pooling`` names.

    ``mean`` appends the averaging layer; a checkpoint that already has one (a khabar model
    trained with it) keeps it, fixed, whatever ``pooling`` says, since its head was trained on it.
    """
    if has_mean_pooling_layer(net):
        index = int(getattr(net.config, MEAN_POOLING_KEY))
        net.base_model.encoder.layer[index].requires_grad_(False)
        if pooling != "mean":
            logger.info("the checkpoint pools by the mean (layer %d); kept", index + 1)
        return
    if pooling == "mean":
        add_mean_pooling_layer(net)
