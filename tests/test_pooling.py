"""``model.pooling: mean``: a fixed extra encoder layer averages the token states, so a
mean-pooled classifier is still a plain ``BertForSequenceClassification`` (real e5 checkpoint)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from khabar.config import MODELS_DIR_ENV, config_from_dict
from khabar.errors import ConfigError
from khabar.modeling.factory import build_classifier
from khabar.modeling.pooling import MEAN_POOLING_KEY, add_mean_pooling_layer

TEXTS = ["وزير الاقتصاد يفتتح المعرض", "المنتخب يفوز في المباراة النهائية بعد شوطين إضافيين"]


def _model_config(checkpoint: Path | str, **model: Any) -> Any:
    return config_from_dict(
        {
            "task": "topic",
            "data": {"files": {"train": "x.jsonl"}},
            "model": {"checkpoint": str(checkpoint), "max_length": 32, "stride": 8, **model},
        }
    ).model


def test_the_layer_computes_the_masked_mean(e5_checkpoint: Path) -> None:
    """The first position of the last layer is LayerNorm(masked mean of the layer below), and
    padding a text in a batch does not change its logits (padding gets no weight)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(e5_checkpoint, num_labels=3).eval()
    tokenizer = AutoTokenizer.from_pretrained(e5_checkpoint)
    with torch.inference_mode():
        cls_alone = model(**tokenizer(TEXTS[:1], return_tensors="pt")).logits
    add_mean_pooling_layer(model)
    assert model.config.num_hidden_layers == 13 and getattr(model.config, MEAN_POOLING_KEY) == 12
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    assert batch["attention_mask"][0].sum() < batch["attention_mask"].shape[1]  # really padded
    with torch.inference_mode():
        alone = model(**tokenizer(TEXTS[:1], return_tensors="pt")).logits
        padded = model(**batch).logits[:1]
        states = model.base_model(**batch, output_hidden_states=True).hidden_states
    torch.testing.assert_close(padded, alone, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(alone, cls_alone, atol=1e-3)
    mask = batch["attention_mask"].unsqueeze(-1).float()
    mean = (states[-2] * mask).sum(1) / mask.sum(1)
    expected = torch.nn.functional.layer_norm(mean, mean.shape[-1:])
    torch.testing.assert_close(states[-1][:, 0], expected, atol=5e-3, rtol=0)


def test_mean_pooling_trains_saves_and_loads_with_plain_transformers(
    data_dir: Path, models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trained through khabar's flow, the averaging layer stays as built, the directory loads
    with plain ``pipeline()`` and gives khabar's labels, and training on from it adds no second
    averaging layer."""
    import torch
    from transformers import pipeline

    from khabar import TopicClassifier
    from khabar.training import train

    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    raw = {
        "task": "topic",
        "data": {
            "dir": str(data_dir),
            "files": {s: f"topic/asnd/{s}.jsonl.gz" for s in ("train", "dev", "test")},
            "max_samples": {"train": 48, "dev": 16, "test": 16},
        },
        "model": {"checkpoint": "multilingual-e5-small-ar", "max_length": 32, "stride": 8},
        "training": {
            "max_steps": 3,
            "per_device_train_batch_size": 8,
            "learning_rate": 1e-3,
            "eval_strategy": "no",
            "save_strategy": "no",
        },
        "evaluation": {"splits": ["test"], "baseline": False, "batch_size": 16},
        "output": {"dir": str(tmp_path / "mean")},
    }
    raw["model"]["pooling"] = "mean"
    first = tmp_path / "mean"
    train(config_from_dict(raw))
    saved = json.loads((first / "config.json").read_text(encoding="utf-8"))
    assert saved["num_hidden_layers"] == 13 and saved[MEAN_POOLING_KEY] == 12
    net, _ = build_classifier(_model_config(first), ["x"])
    layer = net.base_model.encoder.layer[12]
    assert torch.equal(layer.attention.self.query.weight, torch.zeros(384, 384))
    assert torch.equal(layer.attention.self.value.weight, torch.eye(384))
    assert not any(p.requires_grad for p in layer.parameters())  # fixed when trained on, too
    assert net.config.num_hidden_layers == 13

    texts = [*TEXTS, "ارتفاع أسعار النفط في الأسواق العالمية"]
    ours = [r.label for r in TopicClassifier.from_pretrained(first, dtype="float32").predict(texts)]
    clf = pipeline("text-classification", model=str(first), tokenizer=str(first), device="cpu")
    assert ours == [r["label"] for r in clf(texts)]

    card = (first / "README.md").read_text(encoding="utf-8")
    assert (
        "pools the mean of the last layer's token states" in card
        and "| `model.pooling` | mean |" in card
    )


def test_mean_pooling_is_a_checkpoint_classifier_setting() -> None:
    raw = {
        "task": "topic",
        "data": {"files": {"train": "x.jsonl"}},
        "model": {"scratch": {"layers": 1}, "pooling": "mean"},
    }
    with pytest.raises(ConfigError, match=r"scratch classifier: model\.scratch\.pooling") as err:
        config_from_dict(raw)
    assert err.value.key == "model.pooling"
