"""Classifier training end to end on real data slices with real (tiny) models: no mocks."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    TrainerCallback,
    TrainingArguments,
    pipeline,
)

from conftest import MODEL_DIR_FILES, TINY_SCRATCH, tiny_classifier_config
from khabar.config import config_from_dict
from khabar.errors import ConfigError, DataError, ModelDirError
from khabar.model_dir import ModelMeta
from khabar.reading.truncation import head_tail
from khabar.reading.windows import WindowSettings, classify_logits
from khabar.text import TextPreprocessor
from khabar.training import train

EXPECTED_FILES = MODEL_DIR_FILES | {"confusion_matrix.png", "learning_curve.png"}


def test_topic_model_directory_is_complete(tiny_topic_model: Path) -> None:
    names = {p.name for p in tiny_topic_model.iterdir()}
    assert names >= EXPECTED_FILES
    assert not any(n.endswith(".bin") for n in names)
    config = json.loads((tiny_topic_model / "config.json").read_text())
    assert set(config["id2label"].values()) == {
        "culture",
        "economy",
        "politics",
        "sport",
        "technology",
    }
    results = json.loads((tiny_topic_model / "train_results.json").read_text())
    for key in (
        "wall_time_s",
        "train_samples_per_second",
        "train_tokens_per_second",
        "peak_rss_mb",
    ):
        assert results[key] > 0
    phases = results["phases_s"]  # each phase's own seconds, which add up to the run's
    assert list(phases) == [
        "data",
        "preprocessing",
        "model",
        "tokenizing",
        "training",
        "evaluation",
    ]
    assert min(phases.values()) >= 0
    assert sum(phases.values()) == pytest.approx(results["wall_time_s"], abs=0.5)
    assert results["wall_time_s"] > results["train_runtime_s"] + phases["evaluation"] - 0.5
    report = json.loads((tiny_topic_model / "eval_results.json").read_text())
    assert set(report["splits"]) == {"dev", "test"}
    test = report["splits"]["test"]["model"]
    assert 0.0 <= test["macro_f1"] <= 1.0
    assert np.asarray(test["confusion_matrix"]).sum() == report["splits"]["test"]["n"]
    summary = json.loads((tiny_topic_model / "data_summary.json").read_text())
    assert summary["splits"]["train"]["rows"] == 600
    assert summary["splits"]["train"]["tokens"]["p50"] > 0
    assert (tiny_topic_model / "confusion_matrix.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert TextPreprocessor.from_pretrained(tiny_topic_model).normalizer is not None


def test_plain_transformers_pipeline_gives_khabar_labels(tiny_topic_model: Path) -> None:
    texts = ["فاز الفريق بالمباراة النهائية لكأس العالم", "ارتفعت أسعار النفط في البورصة اليوم"]
    pipe = pipeline("text-classification", model=str(tiny_topic_model), device="cpu")
    pipe_labels = [r["label"] for r in pipe(texts)]
    model = AutoModelForSequenceClassification.from_pretrained(tiny_topic_model)
    tokenizer = AutoTokenizer.from_pretrained(tiny_topic_model)
    meta = ModelMeta.load(tiny_topic_model)
    logits = classify_logits(
        model, tokenizer, texts, settings=WindowSettings(meta.max_length, meta.stride, 4)
    )
    ours = [model.config.id2label[i] for i in logits.argmax(-1)]
    assert pipe_labels == ours  # short texts: one window, same input, same label


def test_windows_cover_long_texts(tiny_topic_model: Path) -> None:
    model = AutoModelForSequenceClassification.from_pretrained(tiny_topic_model)
    tokenizer = AutoTokenizer.from_pretrained(tiny_topic_model)
    long_text = " ".join(["الاقتصاد"] * 50 + ["الرياضة"] * 400)
    head_only = classify_logits(model, tokenizer, [long_text], settings=WindowSettings(64, 16, 1))
    windowed = classify_logits(model, tokenizer, [long_text], settings=WindowSettings(64, 16, 0))
    assert not np.allclose(head_only, windowed)  # the rest of the article changes the judgement


def test_stance_model_reads_pairs(tiny_stance_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_stance_model)
    enc = tokenizer("الهدف", "النص")
    ids = enc["input_ids"]
    assert ids[0] == tokenizer.cls_token_id and ids.count(tokenizer.sep_token_id) == 2
    assert "token_type_ids" not in enc  # ModernBERT has no segment embeddings
    report = json.loads((tiny_stance_model / "eval_results.json").read_text())
    assert report["labels"] == ["agree", "disagree", "other"]


def test_a_long_target_leaves_its_text_windows(tiny_stance_model: Path) -> None:
    """A target that leaves the text less room than the stride gets smaller overlaps (the
    tokenizer used to panic from Rust); one that leaves no room is a clear DataError; other
    pairs keep the model's stride."""
    from khabar.reading.windows import encode_windows

    tokenizer = AutoTokenizer.from_pretrained(tiny_stance_model)
    settings = WindowSettings(max_length=32, stride=8, max_windows=0)
    text = " ".join(["الحكومة تعلن خطة جديدة للنقل العام في المدن الكبرى"] * 6)
    claim = " ".join(["وزير النقل يعلن"] * 6)
    room = 32 - tokenizer.num_special_tokens_to_add(pair=True)
    assert len(tokenizer(claim, add_special_tokens=False)["input_ids"]) > room - 8
    windows, owners = encode_windows(tokenizer, [text, text], ["النقل", claim], settings)
    assert set(owners.tolist()) == {0, 1}
    assert all(len(w["input_ids"]) <= 32 for w in windows)
    short, long_ = (owners == 0).sum(), (owners == 1).sum()
    assert long_ > short > 1  # the long claim leaves less room: more, smaller windows
    with pytest.raises(DataError, match=r"target 0 .*no room"):
        encode_windows(tokenizer, [text], [" ".join([claim] * 2)], settings)


def test_head_tail_keeps_both_ends(tiny_topic_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_topic_model)
    text = "بداية " + " ".join(["وسط"] * 300) + " نهاية"
    cut = head_tail(text, tokenizer, budget=20)
    assert cut.startswith("بداية") and cut.endswith("نهاية")
    assert len(tokenizer.tokenize(cut)) <= 22


def _config(data_dir: Path, out: Path, **overrides: object) -> object:
    return config_from_dict(tiny_classifier_config("topic", data_dir, out, **overrides))


def test_overwrite_starts_afresh_and_resume_keeps_checkpoints(tmp_path: Path) -> None:
    from khabar.training.output_dir import discard_earlier_checkpoints, prepare_output_dir

    stale = tmp_path / "checkpoints" / "tokenizer"
    stale.mkdir(parents=True)
    (stale / "tokenizer.json").write_text("{}", encoding="utf-8")
    prepare_output_dir(tmp_path, resume=True, overwrite=True)
    discard_earlier_checkpoints(tmp_path, resume=True, overwrite=True)
    assert stale.is_dir()  # resuming continues from them
    prepare_output_dir(tmp_path, resume=False, overwrite=True)
    assert stale.is_dir()  # the check deletes nothing: the run may still fail on its data
    discard_earlier_checkpoints(tmp_path, resume=False, overwrite=True)
    assert not (tmp_path / "checkpoints").exists()  # a new run never reuses an old tokenizer


@pytest.fixture
def model_copy(tiny_topic_model: Path, tmp_path: Path) -> Path:
    """A copy of the tiny topic model, checkpoints included, that a test may try to replace."""
    target = tmp_path / "model"
    shutil.copytree(tiny_topic_model, target)
    return target


def test_resuming_with_other_model_settings_is_named(model_copy: Path, data_dir: Path) -> None:
    target = model_copy
    before = (target / "model.safetensors").read_bytes()
    wider = _config(
        data_dir,
        target,
        model={"scratch": {**TINY_SCRATCH, "hidden": 128, "intermediate": 256}},
        training={"max_steps": 500},
    )
    with pytest.raises(ConfigError, match=r"checkpoint-\d+ does not fit the model.*--overwrite"):
        train(wider, resume=True)
    assert (target / "model.safetensors").read_bytes() == before


def test_refuses_existing_model_without_overwrite(model_copy: Path, data_dir: Path) -> None:
    target = model_copy
    before = (target / "model.safetensors").read_bytes()
    with pytest.raises(ModelDirError, match=r"already holds a trained model.*--overwrite"):
        train(_config(data_dir, target))
    assert (target / "model.safetensors").read_bytes() == before


def test_bad_inputs_fail_before_training(data_dir: Path, tmp_path: Path) -> None:
    missing = _config(
        data_dir, tmp_path / "a", model={"checkpoint": "./no/such/model", "scratch": None}
    )
    with pytest.raises(ConfigError, match="does not exist"):
        train(missing)
    single = tmp_path / "single.jsonl"
    single.write_text(
        '{"id": "1", "text": "نص", "label": "sport"}\n{"id": "2", "text": "نص آخر", "label": "sport"}\n'
    )
    one_class = _config(
        data_dir, tmp_path / "b", data={"files": {"train": str(single)}, "max_samples": {}}
    )
    with pytest.raises(DataError, match="single class"):
        train(one_class)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(DataError, match="no usable rows"):
        train(
            _config(
                data_dir, tmp_path / "c", data={"files": {"train": str(empty)}, "max_samples": {}}
            )
        )
    too_long = _config(data_dir, tmp_path / "d", model={"max_length": 1024})
    with pytest.raises(ConfigError, match="max_positions"):
        train(too_long)
    assert not (tmp_path / "b").exists() and not (tmp_path / "d" / "model.safetensors").exists()


def test_class_weights_and_head_tail_train(data_dir: Path, tmp_path: Path) -> None:
    config = _config(
        data_dir,
        tmp_path / "w",
        model={
            "class_weights": "balanced",
            "truncation": "head_tail",
            "scratch": {"architecture": "bert", "layers": 1, "hidden": 64, "heads": 2},
        },
        training={"num_train_epochs": 1, "max_steps": 8},
        data={"max_samples": {"train": 200, "dev": 40, "test": 40}},
    )
    outcome = train(config)
    assert (outcome.output_dir / "model.safetensors").is_file()
    model = AutoModelForSequenceClassification.from_pretrained(outcome.output_dir)
    assert type(model).__name__ == "BertForSequenceClassification"
    tokenizer = AutoTokenizer.from_pretrained(outcome.output_dir)
    assert "token_type_ids" in tokenizer("نص", "نص آخر")


def test_window_rows_are_the_windows_evaluation_reads(
    tiny_topic_model: Path, data_dir: Path, tmp_path: Path
) -> None:
    from datasets import Dataset

    from khabar.reading.windows import encode_windows
    from khabar.training.classification import tokenize_for_training

    tokenizer = AutoTokenizer.from_pretrained(tiny_topic_model)
    config = _config(data_dir, tmp_path / "w", model={"train_windows": 3})
    texts = [" ".join(["الحكومة تعلن خطة جديدة للنقل في المدن الكبرى"] * 40), "خبر قصير جدا"]
    ds = Dataset.from_dict({"text": texts, "label": [2, 0]})
    rows = tokenize_for_training(ds, tokenizer, config, windows=3)
    assert rows["labels"] == [2, 2, 2, 0]
    windows, owners = encode_windows(tokenizer, texts, None, config.reading.replace(max_windows=3))
    assert rows["input_ids"] == [w["input_ids"] for w in windows]
    assert owners.tolist() == [0, 0, 0, 1]
    assert rows["length"] == [len(ids) for ids in rows["input_ids"]]
    head = tokenize_for_training(ds, tokenizer, config)  # one row per text: the head
    assert rows["input_ids"][0] == head["input_ids"][0]
    assert rows["input_ids"][3] == head["input_ids"][1]
    assert rows["input_ids"][2] != rows["input_ids"][1]  # spread over the text, not repeated


def test_training_on_windows(data_dir: Path, tmp_path: Path) -> None:
    config = _config(
        data_dir,
        tmp_path / "win",
        model={"train_windows": 2, "class_weights": "balanced"},
        training={"num_train_epochs": 1, "max_steps": 4},
        data={"max_samples": {"train": 100, "dev": 20, "test": 20}},
    )
    outcome = train(config)
    assert 100 < outcome.train_results["train_samples"] <= 200  # ANT articles outrun 64 tokens
    assert "test" in outcome.eval_results["splits"]
    card = (outcome.output_dir / "README.md").read_text(encoding="utf-8")
    assert "were trained on up to 2 windows each" in card
    with pytest.raises(ConfigError, match=r"model\.train_windows.*truncation"):
        _config(data_dir, tmp_path / "bad", model={"train_windows": 2, "truncation": "head_tail"})
    with pytest.raises(ConfigError, match=r"model\.train_windows"):
        _config(data_dir, tmp_path / "bad", model={"train_windows": -1})


def test_training_on_the_aggregate_of_windows(
    tiny_topic_model: Path, data_dir: Path, tmp_path: Path
) -> None:
    """``model.train_aggregate``: a batch holds whole texts' windows, and the loss is the
    cross-entropy of each text's aggregate, the logits evaluation computes for it."""
    from datasets import Dataset

    from khabar.training.classification import (
        TextAggregateTrainer,
        TextWindowsCollator,
        _classification_loss,
        tokenize_for_training,
    )

    tokenizer = AutoTokenizer.from_pretrained(tiny_topic_model)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_topic_model)
    settings = {"train_windows": 3, "train_aggregate": True, "lead_weight": 0.4}
    config = _config(data_dir, tmp_path / "a", model=settings)
    texts = [" ".join(["الحكومة تعلن خطة جديدة للنقل في المدن الكبرى"] * 40), "خبر قصير جدا"]
    ds = Dataset.from_dict({"text": texts, "label": [2, 0]})
    rows = tokenize_for_training(ds, tokenizer, config, windows=3)
    per_window = tokenize_for_training(
        ds, tokenizer, _config(data_dir, tmp_path / "w", model={"train_windows": 3}), windows=3
    )
    assert rows["labels"] == [2, 0]  # one row per text ...
    assert [len(w) for w in rows["input_ids"]] == [3, 1]  # ... holding its windows
    assert [w for text in rows["input_ids"] for w in text] == per_window["input_ids"]

    batch = TextWindowsCollator(tokenizer, lead_weight=0.4)([rows[0], rows[1]])
    assert batch["input_ids"].shape[0] == 4 and batch["labels"].tolist() == [2, 0]
    assert batch["window_owner"].tolist() == [0, 0, 0, 1]
    np.testing.assert_allclose(batch["window_weight"].numpy(), [0.6, 0.2, 0.2, 1.0], rtol=1e-6)
    plain = TextWindowsCollator(tokenizer, lead_weight=0.4)([per_window[0], per_window[1]])
    assert "window_owner" not in plain and plain["labels"].tolist() == [2, 2]

    args = TrainingArguments(output_dir=str(tmp_path / "t"), report_to="none", use_cpu=True)
    trainer = TextAggregateTrainer(model=model, args=args, processing_class=tokenizer)
    model.eval()
    loss = trainer.compute_loss(model, dict(batch))
    reading = WindowSettings(max_length=64, stride=16, max_windows=3, lead_weight=0.4)
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(classify_logits(model, tokenizer, texts, settings=reading)),
        torch.tensor([2, 0]),
    )
    assert config.reading.max_length == 64 and config.reading.stride == 16
    assert loss.item() == pytest.approx(expected.item(), rel=1e-4)
    # the class-weighted loss the run passes as compute_loss_func applies to the aggregate
    weights = torch.tensor([3.0, 1.0, 0.5, 1.0, 1.0])
    weighted = TextAggregateTrainer(
        model=model,
        args=args,
        processing_class=tokenizer,
        compute_loss_func=_classification_loss(weights, 0.0),
    ).compute_loss(model, dict(batch))
    expected = torch.nn.functional.cross_entropy(
        torch.from_numpy(classify_logits(model, tokenizer, texts, settings=reading)),
        torch.tensor([2, 0]),
        weight=weights,
    )
    assert weighted.item() == pytest.approx(expected.item(), rel=1e-4)
    assert weighted.item() != pytest.approx(loss.item(), rel=1e-3)

    with pytest.raises(ConfigError, match=r"model\.train_aggregate"):
        _config(data_dir, tmp_path / "bad", model={"train_aggregate": True})


def test_training_on_the_aggregate_end_to_end(data_dir: Path, tmp_path: Path) -> None:
    config = _config(
        data_dir,
        tmp_path / "agg",
        model={"train_windows": 2, "train_aggregate": True, "class_weights": "balanced"},
        training={"num_train_epochs": 1, "max_steps": 4, "per_device_train_batch_size": 8},
        data={"max_samples": {"train": 100, "dev": 20, "test": 20}},
    )
    outcome = train(config)
    assert outcome.train_results["train_samples"] == 100  # texts, each with its windows
    assert np.isfinite(outcome.train_results["train_loss"])
    assert "test" in outcome.eval_results["splits"]
    card = (outcome.output_dir / "README.md").read_text(encoding="utf-8")
    assert "the loss on the windows' aggregate" in card


def test_label_smoothing_applies_with_class_weights(data_dir: Path, tmp_path: Path) -> None:
    """``training.label_smoothing_factor`` reaches the loss when class weights replace the
    Trainer's own loss (the Trainer drops its label smoother for a ``compute_loss_func``)."""
    import torch

    from khabar.training.classification import _classification_loss

    losses = {}
    for smoothing in (0.0, 0.4):
        config = _config(
            data_dir,
            tmp_path / f"s{smoothing}",
            model={"class_weights": "balanced"},
            training={"max_steps": 1, "label_smoothing_factor": smoothing},
            evaluation={"splits": ["dev"], "baseline": False},
            data={"max_samples": {"train": 16, "dev": 8, "test": 8}},
        )
        losses[smoothing] = train(config).train_results["train_loss"]
    assert losses[0.4] != pytest.approx(losses[0.0], rel=1e-3)

    logits, labels = torch.tensor([[2.0, -1.0, 0.5]]), torch.tensor([0])
    weights = torch.tensor([1.0, 2.0, 3.0])
    expected = torch.nn.functional.cross_entropy(
        logits, labels, weight=weights, label_smoothing=0.4
    )
    got = _classification_loss(weights, 0.4)({"logits": logits}, labels)
    assert got.item() == pytest.approx(expected.item())
    # one of 4 labels of an accumulated step: the Trainer adds the micro-batches' losses up
    share = _classification_loss(weights, 0.4)({"logits": logits}, labels, torch.tensor(4))
    assert share.item() == pytest.approx(expected.item() / 4)


def test_gradient_accumulation_keeps_the_class_weighted_loss(
    data_dir: Path, tmp_path: Path
) -> None:
    """The Trainer does not divide a ``compute_loss_func``'s loss by the accumulation steps, so
    khabar's loss scales itself: 16 rows in 2 micro-batches of 8 give the loss of one batch of
    16, not twice it."""
    losses = {}
    for accumulation, batch in ((1, 16), (2, 8)):
        config = _config(
            data_dir,
            tmp_path / f"ga{accumulation}",
            model={"class_weights": "balanced"},
            training={
                "max_steps": 1,
                "per_device_train_batch_size": batch,
                "gradient_accumulation_steps": accumulation,
            },
            evaluation={"splits": ["dev"], "baseline": False},
            data={"max_samples": {"train": 16, "dev": 8, "test": 8}},
        )
        losses[accumulation] = train(config).train_results["train_loss"]
    assert losses[2] == pytest.approx(losses[1], rel=0.15)


def test_time_budget_stop_evaluates_once(data_dir: Path, tmp_path: Path) -> None:
    """A run stopped by ``max_train_minutes`` mid-epoch evaluates and saves once at that step
    (the epoch's end at the same step used to evaluate the dev split a second time)."""
    config = _config(
        data_dir,
        tmp_path / "budget",
        training={
            "num_train_epochs": 1,
            "eval_strategy": "epoch",
            "save_strategy": "epoch",
            "max_train_minutes": 1e-6,  # spent after the first step
        },
        data={"max_samples": {"train": 200, "dev": 40, "test": 40}},
    )
    outcome = train(config)
    history = json.loads((outcome.output_dir / "trainer_log_history.json").read_text())
    evaluations = [entry for entry in history if "eval_loss" in entry]
    assert [entry["step"] for entry in evaluations] == [1]


class _SlowSteps(TrainerCallback):
    """Each step takes ``seconds`` longer (a slow machine); records the learning rate after it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.lrs: list[float] = []

    def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
        time.sleep(self.seconds)
        self.lrs.append(float(kw["lr_scheduler"].get_last_lr()[0]))


@pytest.mark.parametrize("to_budget", [False, True])
def test_schedule_to_time_budget_decays_to_zero_at_the_stop(
    data_dir: Path, tmp_path: Path, to_budget: bool
) -> None:
    """With ``schedule_to_time_budget`` the linear decay ends where the budget stops training;
    without it, the budget cuts the schedule off with the learning rate still high."""
    config = _config(
        data_dir,
        tmp_path / "sched",
        training={
            "num_train_epochs": 200,  # far more steps than the budget allows
            "learning_rate": 1e-3,
            "warmup_steps": 0,
            "lr_scheduler_type": "linear",
            "max_train_minutes": 0.05,  # 3 s: about 10 steps of 0.3 s
            "schedule_to_time_budget": to_budget,
        },
        data={"max_samples": {"train": 64, "dev": 16, "test": 16}},
    )
    slow = _SlowSteps(0.3)
    outcome = train(config, callbacks=[slow])
    assert outcome.train_results["stopped_by_time_budget"]
    assert outcome.train_results["scheduled_to_time_budget"] is to_budget
    lrs = slow.lrs
    assert 3 <= len(lrs) < 40 and all(b <= a for a, b in pairwise(lrs))
    if to_budget:
        # ran out with the budget: the last step began less than a step's time (0.3 of 3 s) before it
        assert lrs[-1] < 0.2e-3
        assert lrs[len(lrs) // 2] < 0.8e-3  # decaying on time, far ahead of the step schedule
        card = (outcome.output_dir / "README.md").read_text(encoding="utf-8")
        assert "learning-rate schedule ran to the budget" in card
    else:
        assert lrs[-1] > 0.9e-3  # a step schedule of 200 epochs has barely begun to decay


def test_schedule_to_time_budget_is_refused_without_a_budget(
    data_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match=r"training\.schedule_to_time_budget.*max_train_minutes"):
        _config(data_dir, tmp_path / "x", training={"schedule_to_time_budget": True})
    with pytest.raises(ConfigError, match=r"training\.schedule_to_time_budget.*plateau"):
        _config(
            data_dir,
            tmp_path / "x",
            training={
                "schedule_to_time_budget": True,
                "max_train_minutes": 5,
                "lr_scheduler_type": "reduce_lr_on_plateau",
            },
        )
    with pytest.raises(ConfigError, match=r"training\.schedule_to_time_budget"):
        _config(data_dir, tmp_path / "x", training={"schedule_to_time_budget": "yes"})


@pytest.mark.slow
def test_resume_after_kill_matches_uninterrupted(data_dir: Path, tmp_path: Path) -> None:
    """A run killed after its first checkpoint and resumed ends where an uninterrupted one does."""
    cfg = tiny_classifier_config(
        "topic",
        data_dir,
        tmp_path / "x",
        training={
            "num_train_epochs": 3,
            "save_strategy": "epoch",
            "eval_strategy": "epoch",
            # the seedable random sampler restores each epoch's batch order on resume; the
            # length-grouped sampler (the default) draws it afresh, which a tiny model amplifies
            "train_sampling_strategy": "random",
        },
    )
    cfg["evaluation"]["splits"] = ["test"]
    import yaml

    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    khabar = [sys.executable, "-m", "khabar.cli", "-q", "train", str(path)]
    subprocess.run([*khabar, "--output-dir", str(tmp_path / "full")], check=True, timeout=600)
    # interrupted run: stop after the first epoch's checkpoint (max_steps via the time budget would be
    # nondeterministic, so kill the process as soon as checkpoint 1 exists)
    proc = subprocess.Popen([*khabar, "--output-dir", str(tmp_path / "resumed")])
    ckpt_dir = tmp_path / "resumed" / "checkpoints"
    deadline = time.time() + 600
    while time.time() < deadline and not any(ckpt_dir.glob("checkpoint-*/trainer_state.json")):
        time.sleep(0.2)
    time.sleep(0.5)
    proc.kill()
    proc.wait()
    assert not (tmp_path / "resumed" / "model.safetensors").exists()
    resumed_run = subprocess.run(
        [*khabar, "--output-dir", str(tmp_path / "resumed"), "--resume"],
        check=True,
        timeout=600,
        capture_output=True,
        text=True,
    )
    # it continued from the checkpoint instead of starting again: no step of epoch 1 is retrained
    logged_epochs = [float(e) for e in re.findall(r"'epoch': '([0-9.]+)'", resumed_run.stdout)]
    assert logged_epochs and min(logged_epochs) > 1.0, resumed_run.stdout[-2000:]
    full_split = json.loads((tmp_path / "full" / "eval_results.json").read_text())["splits"]["test"]
    full = full_split["model"]
    resumed = json.loads((tmp_path / "resumed" / "eval_results.json").read_text())["splits"][
        "test"
    ]["model"]
    assert max(logged_epochs) == pytest.approx(3.0, abs=0.01)  # and it ran to the end
    # same seed, same batch order, same tokenizer (khabar's are repeatable), RNG states restored
    # from the checkpoint: the resumed run ends on the very weights the uninterrupted one does
    assert full_split["n"] == 120
    assert resumed == full
    from safetensors.torch import load_file

    full_weights = load_file(tmp_path / "full" / "model.safetensors")
    resumed_weights = load_file(tmp_path / "resumed" / "model.safetensors")
    assert full_weights.keys() == resumed_weights.keys()
    assert all(torch.equal(full_weights[k], resumed_weights[k]) for k in full_weights)


@pytest.mark.slow
def test_accelerate_two_cpu_processes(data_dir: Path, tmp_path: Path) -> None:
    """Training runs under ``accelerate launch`` with 2 CPU processes (gloo) and saves once."""
    import yaml

    cfg = tiny_classifier_config(
        "topic", data_dir, tmp_path / "ddp", training={"num_train_epochs": 1}
    )
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    # `--multi_gpu` selects accelerate's distributed launcher (torchrun); with no GPU present each
    # process runs on the CPU and torch.distributed uses gloo. (`--cpu` would start one process.)
    cmd = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        str(Path(__file__).resolve().parents[1] / "scripts" / "train.py"),
        str(path),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    train_results = json.loads((tmp_path / "ddp" / "train_results.json").read_text())
    assert train_results["world_size"] == 2
    assert (tmp_path / "ddp" / "model.safetensors").is_file()


def test_fine_tunes_a_local_checkpoint_with_new_labels(
    tiny_topic_model: Path, data_dir: Path, tmp_path: Path
) -> None:
    """``model.checkpoint`` as a local directory: a topic model fine-tuned into a stance model."""
    raw = tiny_classifier_config(
        "stance",
        data_dir,
        tmp_path / "from-ckpt",
        model={"checkpoint": str(tiny_topic_model), "scratch": None, "max_length": 64},
        training={"max_steps": 4, "num_train_epochs": 1},
    )
    raw["data"]["max_samples"] = {"train": 64, "dev": 16, "test": 16}
    outcome = train(config_from_dict(raw))
    config = json.loads((outcome.output_dir / "config.json").read_text())
    assert sorted(config["id2label"].values()) == ["agree", "disagree", "other"]
    assert json.loads((outcome.output_dir / "khabar_config.json").read_text())["base_model"] == str(
        tiny_topic_model
    )


@pytest.mark.parametrize(
    ("setting", "package", "key"),
    [
        ({"optim": "adamw_bnb_8bit"}, "bitsandbytes", "training.optim"),
        ({"report_to": "wandb"}, "wandb", "training.report_to"),
    ],
)
def test_a_setting_whose_package_is_missing_is_named_before_the_model(
    setting: dict[str, str], package: str, key: str, tmp_path: Path
) -> None:
    import importlib.util

    from transformers import TrainingArguments

    from khabar.training.common import build_training_arguments

    if importlib.util.find_spec(package) is not None:
        pytest.skip(f"{package} is installed here")
    config = config_from_dict(
        {
            "task": "topic",
            "data": {"files": {"train": "t.jsonl"}},
            "model": {"scratch": {}},
            "training": setting,
        }
    )
    with pytest.raises(ConfigError, match=key.replace(".", r"\.") + f".*{package}"):
        build_training_arguments(config, tmp_path, args_class=TrainingArguments)
