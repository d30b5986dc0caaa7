"""Tests for khabar.modeling.encoder_decoder: BERT2BERT warm-started from the real E5 encoder,
trained for a few steps on real SaudiNewsNet rows, saved and reloaded with plain transformers."""

from __future__ import annotations

import gzip
import json
import logging
import math
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import (
    AutoModel,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    EncoderDecoderModel,
)

from khabar.config import EncoderDecoderConfig
from khabar.errors import ConfigError
from khabar.modeling.encoder_decoder import warm_start_encoder_decoder

MAX_SOURCE, MAX_TARGET = 64, 16


@pytest.fixture(scope="module")
def rows(data_dir: Path) -> list[dict[str, Any]]:
    """16 real training rows (article, headline) of SaudiNewsNet."""
    out = []
    with gzip.open(data_dir / "summarization/saudinewsnet/train.jsonl.gz", "rt") as f:
        for line in f:
            out.append(json.loads(line))
            if len(out) == 16:
                break
    return out


@pytest.fixture(scope="module")
def bert2bert(e5_checkpoint: Path) -> tuple[EncoderDecoderModel, Any]:
    torch.manual_seed(0)
    return warm_start_encoder_decoder(
        e5_checkpoint, EncoderDecoderConfig(decoder_layers=1), max_target_length=MAX_TARGET
    )


def _batch(tokenizer: Any, rows: list[dict[str, Any]]) -> dict[str, torch.Tensor]:
    inputs = tokenizer(
        [r["text"] for r in rows],
        max_length=MAX_SOURCE,
        truncation=True,
        padding=True,
        return_tensors="pt",
    )
    labels = tokenizer(
        text_target=[r["summary"] for r in rows],
        max_length=MAX_TARGET,
        truncation=True,
        padding=True,
        return_tensors="pt",
    )["input_ids"]
    labels[labels == tokenizer.pad_token_id] = -100
    return {**inputs, "labels": labels}


def _train(model: EncoderDecoderModel, batch: dict[str, torch.Tensor], steps: int) -> list[float]:
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    losses = []
    for _ in range(steps):
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    model.eval()
    return losses


def _generate(model: Any, batch: dict[str, torch.Tensor]) -> torch.Tensor:
    with torch.inference_mode():
        return model.generate(
            input_ids=batch["input_ids"][:4], attention_mask=batch["attention_mask"][:4]
        )


def test_warm_start_settings(
    bert2bert: tuple[EncoderDecoderModel, Any], e5_checkpoint: Path
) -> None:
    model, tokenizer = bert2bert
    assert type(model) is EncoderDecoderModel
    assert model.config.decoder_start_token_id == tokenizer.cls_token_id
    assert model.config.eos_token_id == tokenizer.sep_token_id
    assert model.config.pad_token_id == tokenizer.pad_token_id
    assert model.config.vocab_size == model.config.decoder.vocab_size == len(tokenizer)
    gen = model.generation_config
    assert (gen.decoder_start_token_id, gen.eos_token_id, gen.pad_token_id) == (
        tokenizer.cls_token_id,
        tokenizer.sep_token_id,
        tokenizer.pad_token_id,
    )
    # the decoder is the checkpoint's first layer, run causally, with new cross-attention
    assert len(model.encoder.encoder.layer) == 12
    assert len(model.decoder.bert.encoder.layer) == 1
    assert model.config.decoder.is_decoder and model.config.decoder.add_cross_attention
    encoder_layer = model.encoder.encoder.layer[0]
    decoder_layer = model.decoder.bert.encoder.layer[0]
    query = decoder_layer.attention.self.query.weight
    assert torch.equal(query, encoder_layer.attention.self.query.weight)
    assert query is not encoder_layer.attention.self.query.weight  # separate weights
    assert hasattr(decoder_layer, "crossattention")
    # tied decoder embeddings, float32 everywhere
    assert (
        model.decoder.get_output_embeddings().weight is model.decoder.get_input_embeddings().weight
    )
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert model.config.encoder._name_or_path == str(e5_checkpoint)


def test_trains_saves_and_reloads_with_plain_transformers(
    bert2bert: tuple[EncoderDecoderModel, Any], rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    model, tokenizer = bert2bert
    batch = _batch(tokenizer, rows)
    losses = _train(model, batch, steps=3)
    assert all(math.isfinite(x) for x in losses)
    assert losses[-1] < losses[0]

    model.generation_config.update(num_beams=2, max_new_tokens=8, no_repeat_ngram_size=2)
    generated = _generate(model, batch)
    assert generated.shape[0] == 4 and generated.shape[1] > 1
    out = tmp_path / "bert2bert"
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    saved = json.loads((out / "generation_config.json").read_text())
    assert saved["decoder_start_token_id"] == tokenizer.cls_token_id
    assert saved["eos_token_id"] == tokenizer.sep_token_id
    assert (saved["num_beams"], saved["max_new_tokens"], saved["no_repeat_ngram_size"]) == (2, 8, 2)
    assert json.loads((out / "config.json").read_text())["model_type"] == "encoder-decoder"

    for auto_class in (AutoModelForSeq2SeqLM, EncoderDecoderModel):
        reloaded, info = auto_class.from_pretrained(out, output_loading_info=True)
        reloaded.eval()
        assert type(reloaded) is EncoderDecoderModel
        assert not info["missing_keys"] and not info["unexpected_keys"]
        assert reloaded.generation_config.num_beams == 2
        assert torch.equal(_generate(reloaded, batch), generated)
    assert AutoTokenizer.from_pretrained(out).cls_token_id == tokenizer.cls_token_id


def test_shared_weights_variant(
    e5_checkpoint: Path,
    bert2bert: tuple[EncoderDecoderModel, Any],
    rows: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    shared, tokenizer = warm_start_encoder_decoder(
        e5_checkpoint, EncoderDecoderConfig(decoder_layers=1, share_weights=True)
    )
    separate = bert2bert[0]
    assert shared.num_parameters() < separate.num_parameters()
    encoder_layer = shared.encoder.encoder.layer[0]
    decoder_layer = shared.decoder.bert.encoder.layer[0]
    assert decoder_layer.attention.self.query.weight is encoder_layer.attention.self.query.weight
    assert decoder_layer.output.dense.weight is encoder_layer.output.dense.weight
    assert (
        shared.decoder.get_input_embeddings().weight is shared.encoder.get_input_embeddings().weight
    )
    assert (
        shared.decoder.get_output_embeddings().weight
        is shared.encoder.get_input_embeddings().weight
    )
    assert not hasattr(encoder_layer, "crossattention")

    batch = _batch(tokenizer, rows[:8])
    shared.generation_config.update(max_new_tokens=8)
    losses = _train(shared, batch, steps=2)
    assert all(math.isfinite(x) for x in losses)
    # still one set of weights after optimisation steps
    assert torch.equal(
        decoder_layer.attention.self.query.weight, encoder_layer.attention.self.query.weight
    )
    generated = _generate(shared, batch)
    shared.save_pretrained(tmp_path / "shared")
    reloaded, info = AutoModelForSeq2SeqLM.from_pretrained(
        tmp_path / "shared", output_loading_info=True
    )
    reloaded.eval()
    assert not info["missing_keys"]
    assert torch.equal(
        reloaded.decoder.bert.encoder.layer[0].attention.self.query.weight,
        reloaded.encoder.encoder.layer[0].attention.self.query.weight,
    )
    assert torch.equal(_generate(reloaded, batch), generated)


def test_cross_attention_can_start_as_a_copy_of_self_attention(
    e5_checkpoint: Path, rows: list[dict[str, Any]]
) -> None:
    model, tokenizer = warm_start_encoder_decoder(
        e5_checkpoint,
        EncoderDecoderConfig(
            decoder_layers=2, share_weights=True, cross_attention_init="self_attention"
        ),
    )
    for layer in model.decoder.bert.encoder.layer:
        for name, source in layer.attention.state_dict().items():
            target = layer.crossattention.state_dict()[name]
            assert torch.equal(target, source), name
        # a copy, not the same tensor: cross-attention trains on its own
        query = layer.crossattention.self.query.weight
        assert query is not layer.attention.self.query.weight
    before = model.decoder.bert.encoder.layer[0].crossattention.self.query.weight.detach().clone()
    losses = _train(model, _batch(tokenizer, rows[:8]), steps=2)
    assert all(math.isfinite(x) for x in losses)
    layer = model.decoder.bert.encoder.layer[0]
    assert not torch.equal(layer.crossattention.self.query.weight, before)
    assert not torch.equal(
        layer.crossattention.self.query.weight, layer.attention.self.query.weight
    )


@pytest.mark.parametrize("share", [False, True])
def test_a_frozen_encoder_reaches_the_warm_started_model(
    models_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    share: bool,
) -> None:
    """``model.freeze_embeddings`` / ``freeze_layers`` fix the encoder of a warm-started
    encoder-decoder (they were ignored for summarisers); a shared decoder keeps only its
    cross-attention and head trainable, and the log says why."""
    from khabar.config import MODELS_DIR_ENV, ModelConfig
    from khabar.modeling.factory import build_seq2seq

    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    settings = ModelConfig(
        checkpoint="multilingual-e5-small-ar",
        encoder_decoder=EncoderDecoderConfig(decoder_layers=2, share_weights=share),
        freeze_embeddings=True,
        freeze_layers=12,
        max_target_length=MAX_TARGET,
    )
    with caplog.at_level(logging.INFO, logger="khabar"):
        model, _ = build_seq2seq(settings)
    assert not any(p.requires_grad for p in model.encoder.embeddings.parameters())
    assert not any(p.requires_grad for p in model.encoder.encoder.layer.parameters())
    layer = model.decoder.bert.encoder.layer[0]
    assert all(p.requires_grad for p in layer.crossattention.parameters())
    assert all(p.requires_grad for p in layer.attention.parameters()) is not share
    assert ("fixed there too" in caplog.text) is share


def test_bfloat16_checkpoint_gives_float32_untied_model(
    e5_checkpoint: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    bf16 = tmp_path / "e5-bf16"
    AutoModel.from_pretrained(e5_checkpoint, dtype=torch.bfloat16).save_pretrained(bf16)
    AutoTokenizer.from_pretrained(e5_checkpoint).save_pretrained(bf16)
    assert json.loads((bf16 / "config.json").read_text())["dtype"] == "bfloat16"
    capfd.readouterr()

    caplog.set_level(logging.INFO, logger="khabar")
    model, _ = warm_start_encoder_decoder(
        bf16, EncoderDecoderConfig(decoder_layers=2, tie_embeddings=False)
    )
    assert {p.dtype for p in model.parameters()} == {torch.float32}
    assert len(model.decoder.bert.encoder.layer) == 2
    output = model.decoder.get_output_embeddings().weight
    embeddings = model.decoder.get_input_embeddings().weight
    assert output is not embeddings and torch.equal(output, embeddings)
    # one line names what is new; transformers' load report table is not shown
    lines = [r.getMessage() for r in caplog.records if "warm-started" in r.getMessage()]
    assert len(lines) == 1
    assert "crossattention" in lines[0] and "untied" in lines[0]
    assert "LOAD REPORT" not in capfd.readouterr().err

    model.save_pretrained(tmp_path / "untied")
    reloaded = EncoderDecoderModel.from_pretrained(tmp_path / "untied")
    assert (
        reloaded.decoder.get_output_embeddings().weight
        is not reloaded.decoder.get_input_embeddings().weight
    )
    assert torch.equal(reloaded.decoder.get_output_embeddings().weight, output)


def test_invalid_settings(e5_checkpoint: Path) -> None:
    with pytest.raises(ConfigError, match="12 layers"):
        warm_start_encoder_decoder(e5_checkpoint, EncoderDecoderConfig(decoder_layers=13))
    with pytest.raises(ConfigError, match="positions"):
        warm_start_encoder_decoder(e5_checkpoint, EncoderDecoderConfig(), max_target_length=600)


def test_trains_through_the_summarisation_flow(
    data_dir: Path, models_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``model.encoder_decoder`` goes through ``khabar train``'s one runner, like any checkpoint,
    and the directory serves with ``khabar.Summarizer`` and plain ``transformers``."""
    from transformers import AutoModelForSeq2SeqLM, GenerationConfig

    from khabar import Summarizer
    from khabar.config import MODELS_DIR_ENV, config_from_dict
    from khabar.training import train

    monkeypatch.setenv(MODELS_DIR_ENV, str(models_dir))
    out = tmp_path / "bert2bert"
    config = config_from_dict(
        {
            "task": "summarization",
            "data": {
                "dir": str(data_dir),
                "files": {s: f"summarization/saudinewsnet/{s}.jsonl.gz" for s in ("train", "test")},
                "max_samples": {"train": 16, "test": 4},
            },
            "model": {
                "checkpoint": "multilingual-e5-small-ar",
                "encoder_decoder": {"decoder_layers": 1},
                "max_length": 32,
                "max_target_length": 12,
            },
            "training": {
                "max_steps": 2,
                "per_device_train_batch_size": 8,
                "learning_rate": 1e-4,
                "eval_strategy": "no",
                "save_strategy": "no",
            },
            "generation": {"num_beams": 2, "max_new_tokens": 6, "no_repeat_ngram_size": 0},
            "evaluation": {
                "splits": ["test"],
                "max_samples": 4,
                "baseline": True,
                "lead_k": 8,
                "lead_unit": "words",
            },
            "output": {"dir": str(out)},
        }
    )
    outcome = train(config)
    assert {"model", "baseline"} <= set(outcome.eval_results["splits"]["test"])
    saved = GenerationConfig.from_pretrained(out)
    assert saved.num_beams == 2 and saved.max_new_tokens == 6
    plain = AutoModelForSeq2SeqLM.from_pretrained(out)
    assert type(plain).__name__ == "EncoderDecoderModel"
    summary = Summarizer.from_pretrained(out, dtype="float32").predict(
        "أعلنت الوزارة اليوم نتائج القبول"
    )
    assert isinstance(summary.text, str) and summary.input_tokens > 0

    # decoding settings chosen at evaluation time: the report states them, the directory keeps
    # its own; a wrong key is named
    from khabar.evaluation import evaluate_model_dir

    monkeypatch.setenv("KHABAR_DATA_DIR", str(data_dir))
    report = evaluate_model_dir(
        out,
        splits=["test"],
        output=tmp_path / "greedy.json",
        baseline=False,
        generation={"num_beams": 1, "max_new_tokens": 4},
    )
    assert report["generation"]["num_beams"] == 1 and report["generation"]["max_new_tokens"] == 4
    assert report["splits"]["test"]["model"]["mean_words"] <= 4
    assert GenerationConfig.from_pretrained(out).num_beams == 2
    assert not report["generation"]["no_repeat_ngram_size"]  # saved off (0), stays off
    with pytest.raises(ConfigError, match=r"generation\.beams.*num_beams"):
        evaluate_model_dir(out, output=tmp_path / "x.json", generation={"beams": 1})
