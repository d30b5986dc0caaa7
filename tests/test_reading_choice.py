"""Choosing a classifier's window settings on dev: one pass over every window scores a grid that
agrees with ``khabar evaluate``, and the chosen pair is saved where evaluation reads it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from khabar.cli import main
from khabar.errors import ConfigError, DataError
from khabar.evaluation import evaluate_model_dir
from khabar.evaluation.reading import ReadingScore, best_reading, save_reading, score_readings
from khabar.model_dir import META_FILE, ModelMeta, ReadingSettings
from khabar.modeling.loading import load_tokenizer
from khabar.reading.windows import encode_windows, pick_windows

SENTENCE = "أعلنت الحكومة اليوم خطة جديدة لدعم الاقتصاد الوطني وتشجيع الاستثمار في المدن "
TEXTS = [SENTENCE * n for n in (1, 3, 6, 10, 2)] + ["خبر قصير"]


@pytest.fixture
def model_copy(tiny_topic_model: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(tiny_topic_model, target, ignore=shutil.ignore_patterns("checkpoints"))
    return target


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 0])
def test_picking_from_every_window_equals_encoding_with_the_limit(
    tiny_topic_model: Path, limit: int
) -> None:
    tokenizer = load_tokenizer(tiny_topic_model)
    every = ReadingSettings(max_length=24, stride=6, max_windows=0)
    windows, owners = encode_windows(tokenizer, TEXTS, None, every)
    assert np.bincount(owners).max() >= 6  # the long texts do have many windows
    kept = pick_windows(owners, limit)
    direct, direct_owners = encode_windows(
        tokenizer, TEXTS, None, ReadingSettings(max_length=24, stride=6, max_windows=limit)
    )
    assert [windows[i] for i in kept] == direct
    assert owners[kept].tolist() == direct_owners.tolist()


def test_grid_agrees_with_khabar_evaluate(model_copy: Path, tmp_path: Path) -> None:
    scores = score_readings(
        model_copy, split="dev", max_windows=(4, 1), lead_weights=(0.0, 0.5), dtype="float32"
    )
    assert [(s.max_windows, s.lead_weight) for s in scores] == [
        (4, 0.0),
        (4, 0.5),
        (1, 0.0),
        (1, 0.5),
    ]
    assert scores[2].windows_per_text == 1.0 < scores[0].windows_per_text <= 4.0
    # one window: the lead weight cannot matter
    assert scores[2].macro_f1 == scores[3].macro_f1
    for score in (scores[0], scores[1], scores[3]):
        report = evaluate_model_dir(
            model_copy,
            splits=["dev"],
            output=tmp_path / "report.json",
            baseline=False,
            reading={"max_windows": score.max_windows, "lead_weight": score.lead_weight},
            dtype="float32",
        )
        assert report["windowing"]["max_windows"] == score.max_windows
        assert report["splits"]["dev"]["model"]["macro_f1"] == pytest.approx(
            score.macro_f1, abs=1e-9
        )
        assert report["splits"]["dev"]["model"]["accuracy"] == pytest.approx(
            score.accuracy, abs=1e-9
        )


def test_best_prefers_fewer_windows_on_a_tie() -> None:
    scores = [
        ReadingScore(4, 0.5, 0.80, 0.9, 3.2),
        ReadingScore(2, 0.0, 0.80, 0.9, 1.9),
        ReadingScore(0, 0.0, 0.79, 0.9, 4.1),
    ]
    assert best_reading(scores) == scores[1]


def test_saved_reading_is_what_evaluation_reads(model_copy: Path, tmp_path: Path) -> None:
    before = ModelMeta.load(model_copy).reading
    saved = save_reading(model_copy, max_windows=2, lead_weight=0.25)
    assert (saved.max_windows, saved.lead_weight) == (2, 0.25)
    assert (saved.max_length, saved.stride) == (before.max_length, before.stride)
    stored = json.loads((model_copy / META_FILE).read_text(encoding="utf-8"))
    assert (stored["max_windows"], stored["lead_weight"]) == (2, 0.25)
    report = evaluate_model_dir(
        model_copy, splits=["dev"], output=tmp_path / "r.json", baseline=False
    )
    assert report["windowing"]["max_windows"] == 2
    assert report["windowing"]["lead_weight"] == 0.25
    assert "0.25 x the first window" in (model_copy / "README.md").read_text(encoding="utf-8")


def test_out_of_range_settings_are_refused_and_nothing_changes(model_copy: Path) -> None:
    meta_before = (model_copy / META_FILE).read_bytes()
    with pytest.raises(ConfigError, match="lead_weight"):
        save_reading(model_copy, max_windows=2, lead_weight=1.5)
    with pytest.raises(ConfigError, match="max_windows"):
        score_readings(model_copy, max_windows=(-1,))
    assert (model_copy / META_FILE).read_bytes() == meta_before


def test_a_split_the_data_config_lacks_is_named(model_copy: Path) -> None:
    """score_readings and khabar evaluate refuse it alike; only evaluate offers --file."""
    with pytest.raises(
        DataError, match=r"\['holdout'\] are not in the model's data config"
    ) as info:
        score_readings(model_copy, split="holdout")
    assert "--file" not in str(info.value)
    with pytest.raises(DataError, match=r"\['holdout'\] .*--file NAME=PATH"):
        evaluate_model_dir(model_copy, splits=["holdout"])


@pytest.mark.parametrize(
    ("setting", "message"),
    [("lead_weight=2", "reading.lead_weight"), ("window_size=3", "unknown setting")],
)
def test_evaluate_cli_rejects_bad_reading(
    model_copy: Path, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    code = main(["-q", "evaluate", str(model_copy), "--split", "dev", "--reading", setting])
    assert code == 2
    assert message in capsys.readouterr().err


def test_choose_reading_never_saves_a_reading_chosen_on_test(model_copy: Path) -> None:
    import subprocess
    import sys

    before = (model_copy / META_FILE).read_bytes()
    script = Path(__file__).resolve().parents[1] / "scripts" / "choose_reading.py"
    done = subprocess.run(
        [sys.executable, str(script), str(model_copy), "--split", "test", "--write"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "choose on dev" in done.stderr
    assert (model_copy / META_FILE).read_bytes() == before
