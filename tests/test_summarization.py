"""Summariser training end to end on a real data slice with a real (tiny) T5: no mocks."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, TrainerControl, TrainerState

from conftest import MODEL_DIR_FILES, tiny_summarizer_config
from khabar.config import GenerationConfig, ScratchConfig, config_from_dict, load_config
from khabar.data import load_data
from khabar.errors import ConfigError
from khabar.evaluation import evaluate_model_dir, format_report, run_baseline
from khabar.model_dir import LOG_HISTORY_FILE, ModelMeta
from khabar.modeling import scratch_seq2seq
from khabar.reading.seq2seq import build_generation_config, encode_texts, generate_summaries
from khabar.reading.truncation import cut_head
from khabar.text import TextPreprocessor
from khabar.training import train
from khabar.training.diagnostics import COLLAPSE_SPREAD, SourceUseCallback, source_use
from khabar.training.summarization import (
    selection_metric,
    seq2seq_collator,
    truncation_stats,
)

ARABIC = re.compile(r"[\u0600-\u06FF]")
REPO = Path(__file__).resolve().parents[1]
ARTICLE = (
    "أعلنت وزارة الصحة السعودية اليوم عن افتتاح مستشفى جديد في مدينة جدة بسعة خمسمائة سرير، "
    "وذلك ضمن خطة لتطوير الخدمات الصحية في المنطقة الغربية."
)
EXPECTED_FILES = MODEL_DIR_FILES | {"generation_config.json", "learning_curve.png"}
ROUGE_KEYS = {
    f"{t}{s}"
    for t in ("rouge1", "rouge2", "rougeL", "rougeLsum")
    for s in ("", "_precision", "_recall")
}


# ------------------------------------------------------------------------------ the model dir


def test_model_directory_is_complete_and_loads_with_plain_transformers(
    tiny_summarizer_model: Path,
) -> None:
    names = {p.name for p in tiny_summarizer_model.iterdir()}
    assert names >= EXPECTED_FILES
    assert not any(n.endswith(".bin") for n in names)
    meta = ModelMeta.load(tiny_summarizer_model)
    assert (meta.task, meta.max_length, meta.max_target_length) == ("summarization", 128, 20)
    assert meta.base_model is None and meta.truncation == "head"

    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_summarizer_model)
    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer_model)
    assert model.config.model_type == "t5"
    assert model.config.decoder_start_token_id == tokenizer.pad_token_id == 0
    assert tokenizer.eos_token_id == 1
    text = TextPreprocessor.from_pretrained(tiny_summarizer_model)(ARTICLE)
    batch = tokenizer([text], return_tensors="pt")
    with torch.inference_mode():
        out = model.generate(**batch)  # the saved generation_config.json applies
    headline = tokenizer.decode(out[0], skip_special_tokens=True)
    assert ARABIC.search(headline), headline
    assert 3 <= out.shape[1] - 1 <= 12  # min_new_tokens / max_new_tokens of the config


def test_scratch_bart_trains_and_loads_with_plain_transformers(
    data_dir: Path, tmp_path: Path
) -> None:
    raw = tiny_summarizer_config(data_dir, tmp_path / "bart")
    raw["model"]["scratch"] = {**raw["model"]["scratch"], "architecture": "bart"}
    raw["evaluation"]["extra"] = {}
    outcome = train(config_from_dict(raw))
    model = AutoModelForSeq2SeqLM.from_pretrained(outcome.output_dir)
    tokenizer = AutoTokenizer.from_pretrained(outcome.output_dir)
    assert model.config.model_type == "bart"
    # BART convention: </s> starts the decoder; the positions cover the configured input
    assert model.config.decoder_start_token_id == tokenizer.eos_token_id == 1
    assert model.config.max_position_embeddings == 256
    assert model.get_input_embeddings().weight.data_ptr() == model.lm_head.weight.data_ptr()
    text = TextPreprocessor.from_pretrained(outcome.output_dir)(ARTICLE)
    with torch.inference_mode():
        out = model.generate(**tokenizer([text], return_tensors="pt"))
    assert ARABIC.search(tokenizer.decode(out[0], skip_special_tokens=True))
    report = json.loads((outcome.output_dir / "eval_results.json").read_text())
    assert 0.0 <= report["splits"]["test"]["model"]["rougeL"] <= 1.0


@pytest.mark.parametrize(
    ("task", "architecture"), [("summarization", "modernbert"), ("topic", "bart")]
)
def test_scratch_architecture_must_fit_the_task(
    tmp_path: Path, task: str, architecture: str
) -> None:
    raw = tiny_summarizer_config(tmp_path, tmp_path / "out", task=task)
    raw["model"]["scratch"] = {**raw["model"]["scratch"], "architecture": architecture}
    with pytest.raises(ConfigError, match=r"model\.scratch\.architecture"):
        config_from_dict(raw)


def test_generation_config_holds_the_config_settings(tiny_summarizer_model: Path) -> None:
    saved = json.loads((tiny_summarizer_model / "generation_config.json").read_text())
    assert saved["num_beams"] == 2
    assert saved["max_new_tokens"] == 12
    assert saved["min_new_tokens"] == 3
    assert saved["length_penalty"] == 0.8
    assert saved["no_repeat_ngram_size"] == 1
    assert saved["early_stopping"] is True
    assert saved["decoder_start_token_id"] == 0 and saved["eos_token_id"] == 1
    assert "max_length" not in saved and "min_length" not in saved


def test_eval_results_hold_model_and_lead_baseline_rouge(tiny_summarizer_model: Path) -> None:
    report = json.loads((tiny_summarizer_model / "eval_results.json").read_text())
    assert report["task"] == "summarization"
    assert report["rouge"]["tokenizer"]["unify_alef"] is True
    assert report["rouge"]["multi_ref"] == "best"
    assert report["generation"]["num_beams"] == 2
    assert report["generation"]["max_input_tokens"] == 128
    assert report["generation"]["truncation"] == "head"
    assert report["baseline"] == {"name": "lead-1 sentences", "k": 1, "unit": "sentences"}
    assert set(report["splits"]) == {"test", "easc"}
    test = report["splits"]["test"]
    assert (test["n"], test["n_total"], test["domain"]) == (16, 40, "in-domain")
    for side in ("model", "baseline"):
        assert set(test[side]) >= ROUGE_KEYS
        assert all(0.0 <= test[side][k] <= 1.0 for k in ROUGE_KEYS)
    assert test["baseline"]["rougeL"] > 0.05  # copying the lead overlaps real headlines
    assert set(test["comparison"]) == {"rouge1", "rouge2", "rougeL"}
    for rouge_type, comparison in test["comparison"].items():
        assert comparison["metric"] == rouge_type
        assert comparison["difference"] == pytest.approx(
            test["model"][rouge_type] - test["baseline"][rouge_type], abs=1e-4
        )  # the report's scores are rounded to 4 places
        assert comparison["ci_low"] <= comparison["difference"] <= comparison["ci_high"]
    assert len(test["examples"]) == 5
    example = test["examples"][0]
    assert set(example) == {"id", "text", "reference", "prediction", "baseline"}
    assert len(example["text"]) <= 302 and ARABIC.search(example["reference"])
    easc = report["splits"]["easc"]
    assert easc["domain"] == "out-of-domain" and easc["references_per_example"] == 5.0
    table = format_report(report)
    assert "lead-1 sentences" in table and "easc (ood)" in table
    assert "95% paired-bootstrap intervals: rouge1" in table


def test_data_summary_reports_truncation(tiny_summarizer_model: Path) -> None:
    summary = json.loads((tiny_summarizer_model / "data_summary.json").read_text())
    for split in ("train", "dev", "test"):
        cut = summary["splits"][split]["truncated"]
        assert cut["max_length"] == 128 and cut["max_target_length"] == 20
        assert 0 < cut["count"] <= summary["splits"][split]["rows"]
        assert cut["fraction"] == round(cut["count"] / summary["splits"][split]["rows"], 4)
        assert cut["mean_tokens_cut"] > 0
        assert {"target_count", "target_fraction", "target_mean_tokens_cut"} <= set(cut)
        assert summary["splits"][split]["tokens"]["p50"] > 0


def test_evaluate_model_dir_on_an_extra_file(tiny_summarizer_model: Path, tmp_path: Path) -> None:
    out = tmp_path / "easc.json"
    report = evaluate_model_dir(
        tiny_summarizer_model,
        files=["easc=summarization/easc/test.jsonl.gz"],
        output=out,
        batch_size=8,
    )
    assert set(report["splits"]) == {"easc"}
    assert report["splits"]["easc"]["n"] == 16  # evaluation.max_samples of the model's config
    assert json.loads(out.read_text())["splits"]["easc"]["baseline"]["rougeL"] > 0


def test_collator_pads_labels_with_minus_100(tiny_summarizer_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer_model)
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_summarizer_model)
    features = [
        {"input_ids": [5, 6, 7, 1], "attention_mask": [1, 1, 1, 1], "labels": [8, 1]},
        {"input_ids": [5, 1], "attention_mask": [1, 1], "labels": [8, 9, 10, 1]},
    ]
    batch = seq2seq_collator(tokenizer, model)(features)
    assert batch["labels"].tolist() == [[8, 1, -100, -100], [8, 9, 10, 1]]
    assert batch["input_ids"].tolist() == [[5, 6, 7, 1], [5, 1, 0, 0]]
    assert batch["decoder_input_ids"].tolist() == [[0, 8, 1, 0], [0, 8, 9, 10]]
    loss = model(**batch).loss
    assert torch.isfinite(loss)


# ------------------------------------------------------------------------------ diagnostics

PAIRS = [
    ("افتتح وزير الصحة مستشفى جديدا في جدة بسعة خمسمائة سرير", "افتتاح مستشفى في جدة"),
    ("فاز المنتخب السعودي على نظيره الياباني بهدفين في التصفيات", "السعودية تهزم اليابان"),
    ("ارتفعت أسعار النفط في الأسواق العالمية بعد قرار أوبك", "النفط يرتفع بعد قرار أوبك"),
    ("أعلنت الأرصاد هطول أمطار غزيرة على منطقة عسير غدا", "أمطار غزيرة على عسير"),
]


def _probe_features(tokenizer: AutoTokenizer) -> list[dict[str, list[int]]]:
    features = []
    for text, summary in PAIRS:
        ids = tokenizer(text)["input_ids"]
        labels = tokenizer(text_target=summary)["input_ids"]
        features.append({"input_ids": ids, "attention_mask": [1] * len(ids), "labels": labels})
    return features


def _tiny_scratch(tmp_path: Path) -> ScratchConfig:
    scratch = config_from_dict(tiny_summarizer_config(tmp_path, tmp_path / "out")).model.scratch
    assert scratch is not None
    return scratch


def test_source_use_tells_a_working_encoder_from_a_collapsed_one(
    tiny_summarizer_model: Path, tmp_path: Path
) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer_model)
    torch.manual_seed(0)
    model = scratch_seq2seq(_tiny_scratch(tmp_path), tokenizer)
    batch = dict(seq2seq_collator(tokenizer, model)(_probe_features(tokenizer)))
    fresh = source_use(model, batch)
    assert fresh["encoder_spread"] > 10 * COLLAPSE_SPREAD

    # an encoder that sees every token as the same token gives every article the same output
    same = torch.nn.Embedding.from_pretrained(
        model.shared.weight[5].detach().expand(len(tokenizer), -1).clone()
    )
    model.encoder.set_input_embeddings(same)
    collapsed = source_use(model, batch)
    assert collapsed["encoder_spread"] < COLLAPSE_SPREAD
    assert abs(collapsed["source_gain"]) < 1e-3
    assert model.training  # source_use restores the mode it found


def test_source_use_callback_logs_and_warns_on_a_collapse(
    tiny_summarizer_model: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # wired into training: every evaluation of the fixture's run logged the two numbers
    history = json.loads((tiny_summarizer_model / LOG_HISTORY_FILE).read_text())
    logged = [h for h in history if "source_gain" in h]
    assert logged and all(h["encoder_spread"] >= 0.0 and "step" in h for h in logged)

    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer_model)
    model = scratch_seq2seq(_tiny_scratch(tmp_path), tokenizer)
    with torch.no_grad():
        model.shared.weight.zero_()  # every input (and output) token alike
    callback = SourceUseCallback(_probe_features(tokenizer), seq2seq_collator(tokenizer, model))
    state = TrainerState()
    state.global_step = 7
    with caplog.at_level(logging.WARNING, logger="khabar"):
        callback.on_evaluate(None, state, TrainerControl(), model=model)  # type: ignore[arg-type]
    assert state.log_history[-1]["step"] == 7
    assert state.log_history[-1]["encoder_spread"] < COLLAPSE_SPREAD
    assert "warmup_steps" in caplog.text


def test_encode_texts_cuts_the_head_and_keeps_eos(tiny_summarizer_model: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer_model)
    long_text = " ".join([ARTICLE] * 10)
    short = "وزارة الصحة"
    ids, lengths = encode_texts(tokenizer, [short, long_text], 32)
    assert len(ids[1]) == 32 and ids[1][-1] == tokenizer.eos_token_id
    assert lengths[1] > 32 and ids[1][:31] == tokenizer(long_text)["input_ids"][:31]
    assert ids[0] == tokenizer(short)["input_ids"] and lengths[0] == len(ids[0])
    both, _ = encode_texts(tokenizer, [long_text], 32, truncation="head_tail")
    assert len(both[0]) <= 32 and both[0][-1] == tokenizer.eos_token_id
    assert cut_head([4, 5, 6, 1], 3, tokenizer) == [4, 5, 1]
    with pytest.raises(ConfigError, match="truncation"):
        encode_texts(tokenizer, [ARTICLE], 32, truncation="middle")


def test_generate_summaries_keeps_the_input_order(tiny_summarizer_model: Path) -> None:
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_summarizer_model)
    tokenizer = AutoTokenizer.from_pretrained(tiny_summarizer_model)
    texts = [ARTICLE, ARTICLE[:40], " ".join([ARTICLE] * 4)]
    together = generate_summaries(model, tokenizer, texts, max_length=128, batch_size=2)
    alone = [generate_summaries(model, tokenizer, [t], max_length=128)[0] for t in texts]
    assert together == alone
    assert generate_summaries(model, tokenizer, [], max_length=128) == []


# ------------------------------------------------------------------------------ config checks


def test_fp16_is_refused_for_t5_family_checkpoints(tmp_path: Path) -> None:
    raw = tiny_summarizer_config(tmp_path, tmp_path / "out")
    raw["model"] = {"checkpoint": "UBC-NLP/AraT5v2-base-1024"}
    raw["training"] = {"fp16": True}
    with pytest.raises(ConfigError, match=r"NaN.*bf16") as err:
        config_from_dict(raw)
    assert "training.fp16" in str(err.value)


def test_fp16_is_refused_for_the_scratch_t5(tmp_path: Path) -> None:
    raw = tiny_summarizer_config(tmp_path, tmp_path / "out", training={"fp16": True})
    config = config_from_dict(raw)  # the name check cannot know a scratch model is a T5
    with pytest.raises(ConfigError, match=r"NaN.*bf16"):
        train(config)
    assert not (tmp_path / "out").exists()


def test_selection_metric(tmp_path: Path) -> None:
    def metric(name: str) -> tuple[str, bool]:
        raw = tiny_summarizer_config(tmp_path, tmp_path, evaluation={"metric": name})
        return selection_metric(config_from_dict(raw))

    assert metric("rouge2") == ("rouge2", True)
    assert metric("macro_f1") == ("rougeL", True)  # the classifiers' default: not set
    assert metric("loss") == ("loss", False)
    with pytest.raises(ConfigError, match=r"evaluation\.metric"):
        metric("accuracy")


def test_greedy_generation_config_drops_beam_settings() -> None:
    from transformers import T5Config, T5ForConditionalGeneration

    model = T5ForConditionalGeneration(
        T5Config(vocab_size=16, d_model=8, d_kv=4, d_ff=8, num_layers=1, num_heads=2)
    )

    class Tok:
        pad_token_id, eos_token_id = 0, 1

    gen = build_generation_config(
        GenerationConfig(num_beams=1, length_penalty=0.6, max_new_tokens=9),
        model,
        Tok(),  # type: ignore[arg-type]
    )
    assert gen.num_beams == 1 and gen.max_new_tokens == 9
    assert gen.length_penalty is None and gen.early_stopping is None


def test_stride_is_not_checked_for_summarisers(tmp_path: Path) -> None:
    # windows are a classifier setting: a short summariser input needs no stride setting
    raw = tiny_summarizer_config(tmp_path, tmp_path / "out")
    raw["model"]["max_length"] = 32
    assert config_from_dict(raw).model.max_length == 32
    raw["task"] = "topic"
    with pytest.raises(ConfigError, match=r"model\.stride"):
        config_from_dict(raw)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only path")
def test_bf16_trains_on_a_cpu_only_machine(tmp_path: Path) -> None:
    from transformers import Seq2SeqTrainingArguments

    from khabar.training.common import build_training_arguments

    raw = tiny_summarizer_config(tmp_path, tmp_path / "out", training={"bf16": True})
    args = build_training_arguments(
        config_from_dict(raw), tmp_path / "out", args_class=Seq2SeqTrainingArguments
    )
    assert args.bf16 and args.use_cpu  # transformers refuses bf16 without a GPU unless use_cpu


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the CPU-only path")
def test_bf16_auto_autocasts_only_where_the_cpu_computes_bfloat16(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``bf16: auto`` is bf16 autocast on AVX512-BF16/AMX CPUs and float32 elsewhere (emulated
    bfloat16 is hundreds of times slower); ``true`` is kept, with a warning where it is emulated."""
    from transformers import Seq2SeqTrainingArguments

    from khabar.device import fast_bf16_autocast
    from khabar.training.common import build_training_arguments

    fast = fast_bf16_autocast(torch.device("cpu"))
    has = {
        name: getattr(torch.cpu, name)()
        for name in ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    }
    assert fast == any(has.values())

    def args_for(value: object) -> Seq2SeqTrainingArguments:
        raw = tiny_summarizer_config(tmp_path, tmp_path / "out", training={"bf16": value})
        return build_training_arguments(
            config_from_dict(raw), tmp_path / "out", args_class=Seq2SeqTrainingArguments
        )

    assert args_for("auto").bf16 is fast
    assert args_for(False).bf16 is False
    caplog.clear()
    with caplog.at_level("WARNING", logger="khabar"):
        assert args_for(True).bf16 is True
    assert ("neither AVX512-BF16 nor AMX" in caplog.text) is not fast
    with pytest.raises(ConfigError, match=r"training\.bf16.*true, false or auto"):
        args_for("fast")


def test_unigram_tokenizer_collapses_every_run_of_whitespace() -> None:
    from khabar.modeling import train_unigram_tokenizer

    texts = ["أعلنت الوزارة اليوم عن خطة جديدة", "وقال الوزير إن الخطة تبدأ غدا"] * 50
    tokenizer = train_unigram_tokenizer(texts, vocab_size=120)
    spaced = tokenizer("أعلنت الوزارة\n\n  اليوم\tعن خطة")["input_ids"]
    assert spaced == tokenizer("أعلنت الوزارة اليوم عن خطة")["input_ids"]


def test_truncation_stats() -> None:
    stats = truncation_stats([10, 20, 40], [3, 9], max_length=16, max_target_length=8)
    assert stats["count"] == 2 and stats["fraction"] == round(2 / 3, 4)
    assert stats["mean_tokens_cut"] == 14.0
    assert stats["fraction_of_tokens_cut"] == round(28 / 70, 4)
    assert (stats["target_count"], stats["target_mean_tokens_cut"]) == (1, 1.0)


# ------------------------------------------------------------------------------ shipped configs


@pytest.mark.parametrize("name", ["saudinewsnet_offline", "ant_headlines_offline"])
def test_offline_configs_are_valid(name: str) -> None:
    config = load_config(REPO / "configs" / "summarization" / f"{name}.yaml")
    assert config.task == "summarization" and config.model.scratch is not None
    assert config.evaluation.metric.startswith("rouge")
    assert config.training.get("max_train_minutes", 0) <= 45


def test_ant_headlines_map_title_to_summary(data_dir: Path) -> None:
    config = load_config(
        REPO / "configs" / "summarization" / "ant_headlines_offline.yaml",
        ["data.max_samples={train: 5, dev: 5, test: 5}", f"data.dir={data_dir}"],
    )
    data, _ = load_data(config, splits=["test"])
    row = data["test"][0]
    assert row["summary"] and row["summaries"] == [row["summary"]]
    assert len(row["summary"].split()) < len(row["text"].split())


def test_lead_baseline_table(data_dir: Path, tmp_path: Path) -> None:
    raw = tiny_summarizer_config(data_dir, tmp_path, evaluation={"extra": {}})
    table = run_baseline(config_from_dict(raw))
    assert "* test" in table and "lead-1 sentences" in table and "lead-20 words" in table


@pytest.mark.slow
def test_cli_trains_from_the_shipped_offline_config(data_dir: Path, tmp_path: Path) -> None:
    """``khabar train`` on the shipped offline config, shrunk by overrides to a couple of minutes."""
    out = tmp_path / "cli-model"
    overrides = [
        "data.max_samples={train: 2000, dev: 50, test: 50}",
        "model.scratch.vocab_size=4000",
        "model.scratch.tokenizer_samples=1000",
        "training.max_steps=60",
        "training.eval_steps=30",
        "training.save_steps=30",
        "evaluation.max_samples=50",
    ]
    cmd = [sys.executable, "-m", "khabar.cli", "train"]
    cmd += [str(REPO / "configs/summarization/saudinewsnet_offline.yaml"), *overrides]
    cmd += ["--output-dir", str(out), "--data-dir", str(data_dir)]
    subprocess.run(cmd, check=True, timeout=900)
    report = json.loads((out / "eval_results.json").read_text())
    assert report["splits"]["test"]["n"] == 50
    assert (out / "generation_config.json").is_file()
