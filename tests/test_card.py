"""Model cards: rendered from the model directory's files, valid Hub metadata, no invented numbers.

Real tiny models trained in the session (topic, stance, summariser) are rendered and validated;
small hand-written model directories cover the licence rules, out-of-domain results and cards
of models without results.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from huggingface_hub import ModelCard

from khabar.card import (
    NO_EVAL_SENTENCE,
    CardError,
    ModelCardInfo,
    render_model_card,
    template_names,
    validate_card,
    write_model_card,
)
from khabar.data.datasets_info import DATASETS, find_dataset

REPO_ROOT = Path(__file__).resolve().parents[1]


def copy_model(src: Path, dest: Path) -> Path:
    """A private copy of a session-shared model directory (without checkpoints)."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("checkpoints"))
    return dest


def model_index_values(card: ModelCard) -> list[tuple[str | None, str, float]]:
    """(split, metric name, value) of every model-index entry; out-of-domain sets have their own
    dataset, so one split name (e.g. ``test``) can occur for several datasets."""
    return [
        (r.dataset_split, str(r.metric_name), float(r.metric_value))
        for r in card.data.eval_results or []
    ]


def assert_results_match(card_text: str, model_dir: Path) -> None:
    """The model-index holds exactly the model's results of eval_results.json, split by split."""
    card = ModelCard(card_text)
    report = json.loads((model_dir / "eval_results.json").read_text(encoding="utf-8"))
    values = model_index_values(card)
    names = {"accuracy": "Accuracy", "macro_f1": "Macro F1", "weighted_f1": "Weighted F1"}
    if report.get("task") == "summarization":
        names = {
            "rouge1": "ROUGE-1",
            "rouge2": "ROUGE-2",
            "rougeL": "ROUGE-L",
            "rougeLsum": "ROUGE-Lsum",
        }
    for split, entry in report["splits"].items():
        for key, name in names.items():
            if key in entry["model"]:
                found = [v for s, n, v in values if n == name and s in (split, "test")]
                assert any(abs(v - entry["model"][key]) < 1e-4 for v in found), (split, key)
                assert f"{entry['model'][key]:.4f}" in card_text  # the body's table


# ----------------------------------------------------------------------------- real models


def test_topic_card_from_real_model(tiny_topic_model: Path) -> None:
    text = render_model_card(tiny_topic_model)
    assert validate_card(text, model_dir=tiny_topic_model) == []
    card = ModelCard(text)
    data = card.data
    meta = json.loads((tiny_topic_model / "khabar_config.json").read_text())
    assert data.language == "ar"
    assert data.license == "apache-2.0"  # derived from ANT's licence: hub.license is unset
    assert data.pipeline_tag == "text-classification"
    assert data.library_name == "transformers"
    assert data.datasets is None  # ANT has no Hub id khabar knows: no link to a wrong page
    assert set(data.metrics) == {"accuracy", "f1"}
    assert {"khabar", "arabic", "topic-classification", "trained-from-scratch"} <= set(data.tags)
    assert data.base_model is None and "trained from scratch" in card.text
    assert data.model_name == "tiny-topic"
    assert {r.dataset_split for r in data.eval_results} == {"dev", "test"}
    assert_results_match(text, tiny_topic_model)
    body = card.text
    for label in meta["labels"]:
        assert f"`{label}`" in body
    assert "merged from `internationalNews`" in body  # label meaning from data.label_map
    assert "ANT Corpus: An Arabic News Text Collection" in body  # citation
    assert "Al Arabiya, BBC Arabic" in body and "2018" in body  # outlets and year
    assert "Apache-2.0" in body
    assert "capped at 600 rows" in body  # the sample used, from data_summary.json
    assert "Alef variants" in body  # preprocessing in words
    assert "windows of 64 tokens (stride 16, at most 4 windows)" in body
    assert "`num_train_epochs` | 2" in body and "`learning_rate` | 0.002" in body
    train_results = json.loads((tiny_topic_model / "train_results.json").read_text())
    assert train_results["hardware"] in body
    assert "Confusion matrix on `test`" in body
    assert "![confusion matrix](confusion_matrix.png)" in body
    assert "no baseline was scored" in body  # the fixture runs without the baseline
    assert 'pipeline("text-classification"' in body and "TopicClassifier" in body
    assert "France24" in body and "noisier" in body  # label noise
    assert "Long articles" in body


def test_stance_card_from_real_model(tiny_stance_model: Path) -> None:
    text = render_model_card(tiny_stance_model, repo_id="khabar-test/tiny-stance")
    validate_card(text, model_dir=tiny_stance_model)
    card = ModelCard(text)
    assert card.data.pipeline_tag == "text-classification"
    assert "stance-detection" in card.data.tags
    assert card.data.datasets is None
    assert card.data.license == "apache-2.0"
    assert_results_match(text, tiny_stance_model)
    assert '"text_pair"' in card.text and 'model="khabar-test/tiny-stance"' in card.text
    assert "the sentence agrees with the headline" in card.text
    assert "Khouja" in card.text
    assert "target (claim, headline or topic) first" in card.text


def test_summarizer_card_from_real_model(request: pytest.FixtureRequest) -> None:
    try:
        model_dir: Path = request.getfixturevalue("tiny_summarizer_model")
    except pytest.FixtureLookupError:
        pytest.skip("the tiny_summarizer_model fixture is not in tests/conftest.py yet")
    text = render_model_card(model_dir)
    validate_card(text, model_dir=model_dir)
    card = ModelCard(text)
    assert card.data.pipeline_tag == "summarization"
    assert "summarization" in card.data.tags
    assert card.data.language == "ar"
    if (model_dir / "eval_results.json").is_file():
        assert_results_match(text, model_dir)
        assert "ROUGE-L" in card.text
    else:
        assert NO_EVAL_SENTENCE in card.text
    assert 'pipeline("summarization"' in card.text


def test_write_model_card_is_what_training_calls(tiny_topic_model: Path, tmp_path: Path) -> None:
    model = copy_model(tiny_topic_model, tmp_path / "m")
    (model / "README.md").unlink()
    path = write_model_card(model)
    assert path == model / "README.md"
    assert path.read_text(encoding="utf-8") == render_model_card(model)


def test_card_follows_the_files(tiny_topic_model: Path, tmp_path: Path) -> None:
    model = copy_model(tiny_topic_model, tmp_path / "m")
    before = render_model_card(model)
    report = json.loads((model / "eval_results.json").read_text())
    report["splits"]["test"]["model"]["accuracy"] = 0.123456
    report["baseline"] = {"name": "a test baseline"}
    report["splits"]["test"]["baseline"] = {**report["splits"]["test"]["model"], "macro_f1": 0.99}
    (model / "eval_results.json").write_text(json.dumps(report))
    with pytest.raises(CardError, match=r"eval_results\.json says"):
        validate_card(before, model_dir=model)  # the old card no longer tells the truth
    after = render_model_card(model)
    validate_card(after, model_dir=model)
    assert "0.1235" in after and "a test baseline" in after
    assert "is **below** the baseline's" in after


@pytest.mark.parametrize(
    ("low", "high", "reading"),
    [
        (-0.011, 0.018, "does not tell the two apart"),
        (0.004, 0.031, "the model is ahead beyond"),
        (-0.03, -0.002, "the baseline is ahead beyond"),
    ],
)
def test_card_reads_the_paired_bootstrap(
    tiny_topic_model: Path, tmp_path: Path, low: float, high: float, reading: str
) -> None:
    model = copy_model(tiny_topic_model, tmp_path / "m")
    report = json.loads((model / "eval_results.json").read_text())
    test = report["splits"]["test"]
    report["baseline"] = report.get("baseline") or {"name": "a test baseline"}
    test["baseline"] = test.get("baseline") or dict(test["model"])
    test["comparison"] = {
        "metric": "macro_f1",
        "difference": test["model"]["macro_f1"] - test["baseline"]["macro_f1"],
        "ci_low": low,
        "ci_high": high,
        "confidence": 0.95,
        "a_better": 0.5,
        "n_resamples": 1000,
        "seed": 0,
    }
    (model / "eval_results.json").write_text(json.dumps(report))
    text = render_model_card(model)
    validate_card(text, model_dir=model)
    assert f"95% paired-bootstrap interval of the difference is {low:+.4f} to {high:+.4f}" in text
    assert reading in text


def test_no_eval_results_said_plainly(tiny_topic_model: Path, tmp_path: Path) -> None:
    model = copy_model(tiny_topic_model, tmp_path / "m")
    (model / "eval_results.json").unlink()
    text = render_model_card(model)
    validate_card(text, model_dir=model)
    card = ModelCard(text)
    assert NO_EVAL_SENTENCE in card.text
    assert not card.data.eval_results
    assert "model-index" not in text
    with pytest.raises(CardError, match="does not say so"):
        validate_card(text.replace(NO_EVAL_SENTENCE, "Results pending"), model_dir=model)


# ----------------------------------------------------------------------------- hand-written dirs


def make_model_dir(
    root: Path,
    *,
    task: str,
    labels: list[str] | None = None,
    datasets: list[str] | None = None,
    run_config: dict[str, Any] | None = None,
    eval_results: dict[str, Any] | None = None,
    base_model: str | None = None,
) -> Path:
    """A minimal khabar model directory (no weights: the card does not need them)."""
    root.mkdir(parents=True)
    meta = {
        "task": task,
        "labels": labels or [],
        "base_model": base_model,
        "max_length": 128,
        "stride": 32,
        "max_windows": 8,
        "truncation": "head",
        "max_target_length": 32 if task == "summarization" else None,
        "datasets": datasets or [],
        "khabar_version": "0.1.0",
    }
    (root / "khabar_config.json").write_text(json.dumps(meta))
    config = {"task": task, "name": root.name, "hub": {"license": None, "tags": []}}
    config.update(run_config or {})
    (root / "run_config.yaml").write_text(yaml.safe_dump(config))
    if eval_results is not None:
        (root / "eval_results.json").write_text(json.dumps(eval_results, ensure_ascii=False))
    return root


def _rouge(r1: float) -> dict[str, float]:
    return {"rouge1": r1, "rouge2": r1 / 2, "rougeL": r1 * 0.9, "rougeLsum": r1 * 0.95}


def test_summarisation_card_with_examples_and_out_of_domain(tmp_path: Path) -> None:
    report = {
        "task": "summarization",
        "baseline": {"name": "lead-1 sentence"},
        "splits": {
            "test": {
                "n": 40,
                "domain": "in-domain",
                "model": _rouge(0.3125),
                "baseline": _rouge(0.2211),
                "comparison": {
                    "rougeL": {
                        "metric": "rougeL",
                        "difference": 0.9 * (0.3125 - 0.2211),
                        "ci_low": 0.031,
                        "ci_high": 0.132,
                        "confidence": 0.95,
                        "a_better": 1.0,
                        "n_resamples": 1000,
                        "seed": 0,
                    }
                },
                "examples": [
                    {
                        "id": "snn-1",
                        "text": "نص مقال طويل " * 60,
                        "reference": "عنوان المقال",
                        "prediction": "عنوان مولد",
                        "baseline": "الجملة الأولى",
                    }
                ],
            },
            "easc": {"n": 153, "domain": "out-of-domain", "model": _rouge(0.1711)},
        },
    }
    model = make_model_dir(
        tmp_path / "summ",
        task="summarization",
        datasets=["summarization/saudinewsnet"],
        base_model="UBC-NLP/AraT5v2-base-1024",
        run_config={"evaluation": {"extra": {"easc": "summarization/easc/test.jsonl.gz"}}},
        eval_results=report,
    )
    text = render_model_card(model)
    validate_card(text, model_dir=model)
    card = ModelCard(text)
    assert card.data.license == "cc-by-nc-sa-4.0"  # SaudiNewsNet's licence carries over
    assert "interval of the difference is +0.0310 to +0.1320" in text
    assert "the model is ahead beyond the test set's sampling noise" in text
    assert card.data.base_model == "UBC-NLP/AraT5v2-base-1024"
    assert card.data.pipeline_tag == "summarization"
    assert "headline-generation" in card.data.tags
    assert set(card.data.metrics) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}
    by_dataset = {(r.dataset_type, r.dataset_split) for r in card.data.eval_results}
    assert by_dataset == {("summarization/saudinewsnet", "test"), ("summarization/easc", "test")}
    assert "out-of-domain" in card.text and "0.1711" in card.text
    assert "0.3125" in card.text and "0.2211" in card.text  # model beside baseline
    assert "headline generation" in card.text
    assert "عنوان مولد" in card.text and "Generated examples" in card.text
    assert " …" in card.text  # the long article was shortened for the card
    assert "Alhagri" in card.text and "July–August 2015" in card.text
    assert "non-commercial" in card.text.lower() or "NC-SA" in card.text


def test_out_of_domain_classification_and_baseline(tmp_path: Path) -> None:
    labels = ["politics", "sport"]

    def result(acc: float) -> dict[str, Any]:
        return {
            "accuracy": acc,
            "macro_f1": acc - 0.1,
            "weighted_f1": acc - 0.05,
            "per_class": {
                lab: {"precision": acc, "recall": acc, "f1": acc, "support": 5} for lab in labels
            },
            "confusion_matrix": [[4, 1], [1, 4]],
            "labels": labels,
        }

    report = {
        "task": "topic",
        "labels": labels,
        "baseline": {"name": "TF-IDF + logistic regression"},
        "splits": {
            "test": {"n": 10, "domain": "in-domain", "model": result(0.8), "baseline": result(0.7)},
            "asnd": {
                "n": 10,
                "domain": "out-of-domain",
                "model": result(0.6),
                "baseline": result(0.65),
            },
        },
    }
    model = make_model_dir(
        tmp_path / "topic",
        task="topic",
        labels=labels,
        datasets=["topic/ant"],
        run_config={
            "data": {"label_map": {"internationalNews": "politics", "middleEast": "politics"}},
            "evaluation": {"extra": {"asnd": "/data/topic/asnd/test.jsonl.gz"}},
        },
        eval_results=report,
        base_model="aubmindlab/bert-base-arabertv02",
    )
    text = render_model_card(model)
    validate_card(text, model_dir=model)
    card = ModelCard(text)
    datasets = {(r.dataset_type, r.dataset_name) for r in card.data.eval_results}
    assert ("topic/asnd", "ASND (out-of-domain)") in datasets
    assert "| asnd | out-of-domain | 10 | 0.6000 | 0.5000 | 0.5500 | 0.6500 | 0.5500 |" in text
    assert "above the baseline's (0.6000), by 0.1000" in text
    assert "https://huggingface.co/aubmindlab/bert-base-arabertv02" in text


@pytest.mark.parametrize(
    ("datasets", "configured", "expected", "expected_name"),
    [
        (["summarization/saudinewsnet"], None, "cc-by-nc-sa-4.0", None),
        (["stance/mawqif"], None, "other", "research-use-only"),
        (["topic/ant", "stance/baly"], None, "other", "mixed-data-licences"),
        (["topic/asnd"], None, "cc-by-4.0", None),
        (["topic/ant"], "mit", "mit", None),
        (["my/own-data"], None, "unknown", None),
    ],
)
def test_licence_comes_from_config_or_data(
    tmp_path: Path,
    datasets: list[str],
    configured: str | None,
    expected: str,
    expected_name: str | None,
) -> None:
    model = make_model_dir(
        tmp_path / "m",
        task="stance",
        labels=["agree", "disagree"],
        datasets=datasets,
        run_config={"hub": {"license": configured, "tags": []}},
    )
    text = render_model_card(model)
    warnings = validate_card(text, model_dir=model)
    card = ModelCard(text)
    assert card.data.license == expected
    assert card.data.get("license_name") == expected_name
    if expected == "other":
        assert "research only" in card.text
    if expected == "unknown":
        assert any("licence is unknown" in w for w in warnings)
        assert "`my/own-data`" in card.text  # described from the files only
    assert NO_EVAL_SENTENCE in card.text


def test_datasets_metadata_holds_hub_ids_only(tmp_path: Path) -> None:
    """The Hub links each ``datasets`` entry to a dataset page: khabar names are not ids."""
    local = make_model_dir(tmp_path / "local", task="topic", datasets=["topic/ant"])
    assert ModelCard(render_model_card(local)).data.datasets is None
    from_hub = make_model_dir(
        tmp_path / "hub",
        task="topic",
        datasets=["my-org/arabic-news"],
        run_config={"data": {"dataset": "my-org/arabic-news"}},
    )
    text = render_model_card(from_hub)
    assert ModelCard(text).data.datasets == ["my-org/arabic-news"]
    assert not any("datasets" in w for w in validate_card(text, model_dir=from_hub))


def test_configured_licence_beside_restricted_data_is_flagged(tmp_path: Path) -> None:
    model = make_model_dir(
        tmp_path / "m",
        task="stance",
        labels=["favor", "against", "none"],
        datasets=["stance/mawqif"],
        run_config={"hub": {"license": "apache-2.0", "tags": ["tweets"]}},
    )
    card = ModelCard(render_model_card(model))
    assert card.data.license == "apache-2.0"
    assert "tweets" in card.data.tags
    assert "research use (no licence stated)" in card.text  # the data's own terms are stated


# ----------------------------------------------------------------------------- validation


def _valid_text(tmp_path: Path) -> str:
    model = make_model_dir(tmp_path / "v", task="topic", labels=["a", "b"], datasets=["topic/ant"])
    return render_model_card(model)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("language: ar", "language: en", "'language' must include 'ar'"),
        ("license: apache-2.0", "license: my-licence", "not a Hub licence id"),
        ("pipeline_tag: text-classification", "pipeline_tag: fill-mask", "pipeline_tag"),
        ("## Evaluation", "## Scores", "'## Evaluation' section"),
        ("trained from scratch", "made", "trained from scratch"),
        ("library_name: transformers", "library_name: keras", "library_name"),
    ],
)
def test_validate_card_rejects(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = _valid_text(tmp_path)
    validate_card(text)
    assert old in text
    with pytest.raises(CardError, match=re.escape(message)):
        validate_card(text.replace(old, new))


def test_validate_card_rejects_unparseable_metadata() -> None:
    with pytest.raises(CardError, match="metadata does not parse"):
        validate_card("---\nmodel-index: [{results: 3}]\n---\n# x\n")
    with pytest.raises(CardError, match="YAML metadata"):
        validate_card("# just a title\n")


# ----------------------------------------------------------------------------- registry, packaging


def test_dataset_registry_lookup() -> None:
    assert find_dataset("topic/ant") is DATASETS["topic/ant"]
    assert find_dataset("/work/shared/data/stance/ans/train.jsonl.gz") is DATASETS["stance/ans"]
    assert find_dataset("topic/antelope/train.jsonl") is None
    assert find_dataset(None) is None
    for info in DATASETS.values():
        assert info.citation and info.licence and info.coverage


def test_templates_ship_with_the_package_and_model_cards_points_at_them() -> None:
    names = template_names()
    assert {"classification.md", "summarization.md"} <= set(names)
    package_dir = Path(__import__("khabar").__file__).parent / "templates"
    for name in names:
        linked = REPO_ROOT / "model_cards" / name
        assert linked.is_file(), name
        assert os.path.samefile(linked, package_dir / name)


def test_card_info_reports_unreadable_files(tmp_path: Path) -> None:
    model = make_model_dir(tmp_path / "m", task="topic", labels=["a"], datasets=["topic/ant"])
    (model / "eval_results.json").write_text("{not json")
    info = ModelCardInfo.from_model_dir(model)
    assert any("eval_results.json could not be read" in p for p in info.problems)
    assert "could not be read" in render_model_card(model)


def test_usage_snippets_name_real_khabar_api(tmp_path: Path) -> None:
    """The 'With khabar' examples use classes and methods that exist."""
    import khabar.inference

    for task, labels in (
        ("topic", ["a", "b"]),
        ("stance", ["agree", "other"]),
        ("summarization", []),
    ):
        model = make_model_dir(tmp_path / task, task=task, labels=labels, datasets=[])
        text = render_model_card(model)
        (name,) = re.findall(r"from khabar\.inference import (\w+)", text)
        cls = getattr(khabar.inference, name)
        assert callable(getattr(cls, "from_pretrained", None)) and callable(
            getattr(cls, "predict", None)
        )


def test_write_model_card_never_loses_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import khabar.card.render

    model = make_model_dir(tmp_path / "m", task="topic", labels=["a"], datasets=["topic/ant"])

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("template bug")

    monkeypatch.setattr(khabar.card.render, "render_model_card", broken)
    text = write_model_card(model).read_text(encoding="utf-8")
    assert "could not be rendered (RuntimeError: template bug)" in text
    assert ModelCard(text).data.language == "ar"


def test_card_states_the_model_settings_that_shaped_training_and_reading(tmp_path: Path) -> None:
    labels = ["politics", "sport"]
    scores = {"accuracy": 0.8, "macro_f1": 0.7, "weighted_f1": 0.75, "labels": labels}
    model = make_model_dir(
        tmp_path / "topic",
        task="topic",
        labels=labels,
        run_config={
            "model": {
                "max_length": 128,
                "truncation": "head",
                "train_windows": 1,
                "freeze_embeddings": True,
                "freeze_layers": 6,
                "config_overrides": {"attention_probs_dropout_prob": 0.0},
            },
            "training": {"learning_rate": 1e-4},
        },
        eval_results={
            "task": "topic",
            "labels": labels,
            "windowing": {"max_length": 128, "stride": 32, "max_windows": 4, "lead_weight": 0.5},
            "splits": {"test": {"n": 10, "domain": "in-domain", "model": scores}},
        },
    )
    text = render_model_card(model)
    assert "| `model.freeze_embeddings` | true |" in text
    assert "| `model.freeze_layers` | 6 |" in text
    assert '| `model.config_overrides` | {"attention_probs_dropout_prob": 0.0} |' in text
    assert "`model.train_windows`" not in text  # the default is not listed
    assert "combined as 0.5 x the first window's logits + 0.5 x the mean" in text
    assert "logits are averaged" not in text
