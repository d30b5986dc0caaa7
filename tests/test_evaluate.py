"""``khabar evaluate``: a saved model scored on its splits and on files from other sources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from khabar.cli import main
from khabar.errors import DataError, ModelDirError, OptionError
from khabar.evaluation import evaluate_model_dir

OOD_ROWS = [
    {"id": "o1", "text": "فاز الفريق الأول بكأس البطولة بعد مباراة مثيرة", "label": "sport"},
    {"id": "o2", "text": "تراجعت أسعار الأسهم في البورصة مع ارتفاع التضخم", "label": "economy"},
    {"id": "o3", "text": "أطلقت الشركة هاتفا ذكيا جديدا بمعالج أسرع", "label": "technology"},
    {"id": "o4", "text": "اجتمع وزراء الخارجية لبحث الأزمة في المنطقة", "label": "politics"},
]


@pytest.fixture
def model_copy(tiny_topic_model: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(tiny_topic_model, target, ignore=shutil.ignore_patterns("checkpoints"))
    return target


def test_evaluate_split_and_out_of_domain_file(model_copy: Path, tmp_path: Path) -> None:
    ood = tmp_path / "ood.jsonl"
    ood.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in OOD_ROWS), encoding="utf-8"
    )
    out = tmp_path / "report.json"
    code = main(
        [
            "-q",
            "evaluate",
            str(model_copy),
            "--split",
            "test",
            "--file",
            f"handmade={ood}",
            "--output",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert set(report["splits"]) == {"test", "handmade"}
    assert report["splits"]["handmade"]["domain"] == "out-of-domain"
    assert report["splits"]["handmade"]["n"] == 4
    assert (
        "baseline" in report["splits"]["test"]
    )  # TF-IDF baseline fitted on the model's train split
    assert report["baseline"]["name"].startswith("TF-IDF")
    test = report["splits"]["test"]
    comparison = test["comparison"]  # the paired bootstrap of model - baseline macro-F1
    assert comparison["difference"] == pytest.approx(
        test["model"]["macro_f1"] - test["baseline"]["macro_f1"]
    )
    assert comparison["ci_low"] <= comparison["ci_high"]
    assert comparison["n_resamples"] == 1000
    for entry in report["splits"].values():
        assert ("comparison" in entry) == ("baseline" in entry)


def test_evaluate_updates_model_dir_and_card(model_copy: Path) -> None:
    before = json.loads((model_copy / "eval_results.json").read_text())
    report = evaluate_model_dir(model_copy, splits=["dev"], baseline=False)
    after = json.loads((model_copy / "eval_results.json").read_text())
    assert set(after["splits"]) == set(before["splits"]) | {"dev"}
    assert after["splits"]["dev"]["model"] == report["splits"]["dev"]["model"]
    assert "dev" in (model_copy / "README.md").read_text()


def test_evaluate_rejects_unknown_labels(model_copy: Path, tmp_path: Path) -> None:
    ood = tmp_path / "weather.jsonl"
    ood.write_text('{"id": "w", "text": "أمطار غزيرة غدا", "label": "weather"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"weather\.jsonl field 'label'.*\['weather'\]"):
        evaluate_model_dir(model_copy, files=[str(ood)], baseline=False, output=tmp_path / "r.json")


def test_evaluation_with_other_settings_leaves_the_card_alone(model_copy: Path) -> None:
    """A report scored with overridden windows describes a model that was not saved: it is
    returned, not merged into eval_results.json or the card."""
    results, card = model_copy / "eval_results.json", model_copy / "README.md"
    before = (results.read_bytes(), card.read_bytes())
    report = evaluate_model_dir(
        model_copy, splits=["dev"], baseline=False, reading={"max_windows": 1}
    )
    assert report["windowing"]["max_windows"] == 1
    assert set(report["splits"]) == {"dev"}
    assert (results.read_bytes(), card.read_bytes()) == before


def test_evaluation_returns_only_what_it_scored(model_copy: Path) -> None:
    saved = json.loads((model_copy / "eval_results.json").read_text())
    assert "test" in saved["splits"]
    report = evaluate_model_dir(model_copy, splits=["dev"], baseline=False)
    assert set(report["splits"]) == {"dev"}
    merged = json.loads((model_copy / "eval_results.json").read_text())
    assert {"dev", "test"} <= set(merged["splits"])


def test_a_file_path_from_the_current_directory_wins_over_the_data_directory(
    model_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine").mkdir()
    ood = tmp_path / "mine" / "ood.jsonl"
    ood.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in OOD_ROWS), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    report = evaluate_model_dir(
        model_copy,
        files=["mine=mine/ood.jsonl"],
        baseline=False,
        output=tmp_path / "r.json",
    )
    assert report["splits"]["mine"]["n"] == 4
    with pytest.raises(DataError, match=r"--data-dir.*KHABAR_DATA_DIR"):
        evaluate_model_dir(
            model_copy,
            files=["gone=mine/missing.jsonl"],
            baseline=False,
            output=tmp_path / "x.json",
        )


def test_no_baseline_never_drops_a_saved_one(model_copy: Path) -> None:
    results = model_copy / "eval_results.json"
    evaluate_model_dir(model_copy, splits=["test"])  # scores the baseline beside the model
    before = results.read_bytes()
    assert "baseline" in json.loads(before)["splits"]["test"]
    with pytest.raises(OptionError, match=r"--no-baseline would drop the baseline saved for test"):
        evaluate_model_dir(model_copy, splits=["test"], baseline=False)
    assert results.read_bytes() == before


def test_output_never_replaces_a_file_that_is_not_a_report(model_copy: Path) -> None:
    config = model_copy / "config.json"
    before = config.read_bytes()
    with pytest.raises(OptionError, match=r"exists and is not an evaluation report"):
        evaluate_model_dir(model_copy, splits=["dev"], baseline=False, output=config)
    assert config.read_bytes() == before


def test_a_damaged_eval_results_file_is_named_before_evaluating(model_copy: Path) -> None:
    (model_copy / "eval_results.json").write_text('{"splits": {"test": ', encoding="utf-8")
    with pytest.raises(ModelDirError, match=r"eval_results\.json cannot be read.*--output"):
        evaluate_model_dir(model_copy, splits=["dev"], baseline=False)
