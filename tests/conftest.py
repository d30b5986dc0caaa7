"""Shared fixtures: the data directory, and tiny real models trained once per test session.

The data directory comes from ``--data-dir`` or ``$KHABAR_DATA_DIR`` (``.ci/run`` points it at
``../shared/data``); tests that need it are skipped with a reason when it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--data-dir", default=None, help="khabar data directory (default: $KHABAR_DATA_DIR)"
    )
    parser.addoption(
        "--models-dir",
        default=None,
        help="directory of pretrained checkpoints (default: $KHABAR_MODELS_DIR)",
    )


@pytest.fixture(scope="session")
def data_dir(pytestconfig: pytest.Config) -> Path:
    """The real datasets (canonical gzipped JSONL); skips the test when not configured."""
    raw = pytestconfig.getoption("--data-dir") or os.environ.get("KHABAR_DATA_DIR")
    if not raw:
        pytest.skip("no data directory: set KHABAR_DATA_DIR or pass --data-dir")
    path = Path(raw).resolve()
    if not (path / "topic" / "ant").is_dir():
        pytest.skip(f"data directory {path} has no topic/ant")
    os.environ["KHABAR_DATA_DIR"] = str(path)
    return path


E5_CHECKPOINT = "multilingual-e5-small-ar"
"""The real pretrained encoder in the models directory (12-layer BERT, hidden 384)."""


@pytest.fixture(scope="session")
def models_dir(pytestconfig: pytest.Config) -> Path:
    """The pretrained checkpoints (plain transformers directories); skips the test when not
    configured."""
    raw = pytestconfig.getoption("--models-dir") or os.environ.get("KHABAR_MODELS_DIR")
    if not raw:
        pytest.skip("no models directory: set KHABAR_MODELS_DIR or pass --models-dir")
    path = Path(raw).resolve()
    if not (path / E5_CHECKPOINT / "config.json").is_file():
        pytest.skip(f"models directory {path} has no {E5_CHECKPOINT}/config.json")
    os.environ["KHABAR_MODELS_DIR"] = str(path)
    return path


@pytest.fixture(scope="session")
def e5_checkpoint(models_dir: Path) -> Path:
    """The shared multilingual E5 encoder checkpoint (real weights, float32)."""
    return models_dir / E5_CHECKPOINT


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    raw = os.environ.get("KHABAR_EXAMPLES_DIR")
    path = Path(raw) if raw else Path(__file__).resolve().parents[2] / "shared" / "examples"
    if not (path / "scraped_news_page.txt").is_file():
        pytest.skip(f"example page not found in {path} (set KHABAR_EXAMPLES_DIR)")
    return path


TINY_SCRATCH = {
    "architecture": "modernbert",
    "pooling": "mean",
    "layers": 1,
    "hidden": 64,
    "heads": 2,
    "intermediate": 128,
    "max_positions": 256,
    "vocab_size": 3000,
}


def tiny_classifier_config(
    task: str, data_dir: Path, output_dir: Path, **overrides: Any
) -> dict[str, Any]:
    """Raw config data for a tiny real classifier trained in seconds on a slice of real data."""
    if task == "topic":
        data = {
            "files": {s: f"topic/ant/{s}.jsonl.gz" for s in ("train", "dev", "test")},
            "label_map": {"internationalNews": "politics", "middleEast": "politics"},
            "max_samples": {"train": 600, "dev": 120, "test": 120},
            "prepend_title": True,
        }
    else:
        data = {
            "files": {s: f"stance/ans/{s}.jsonl.gz" for s in ("train", "dev", "test")},
            "max_samples": {"train": 600, "dev": 120, "test": 120},
        }
    config: dict[str, Any] = {
        "task": task,
        "name": f"tiny-{task}",
        "data": {"dir": str(data_dir), **data},
        "model": {"scratch": dict(TINY_SCRATCH), "max_length": 64, "stride": 16, "max_windows": 4},
        "training": {
            "num_train_epochs": 2,
            "learning_rate": 2e-3,
            "per_device_train_batch_size": 16,
            "logging_steps": 10,
        },
        "evaluation": {"splits": ["dev", "test"], "baseline": False},
        "output": {"dir": str(output_dir)},
    }
    for key, value in overrides.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    return config


def _train_tiny(task: str, data_dir: Path, root: Path) -> Path:
    from khabar.config import config_from_dict
    from khabar.training import train

    out = root / f"tiny-{task}"
    config = config_from_dict(tiny_classifier_config(task, data_dir, out))
    return train(config).output_dir


@pytest.fixture(scope="session")
def tiny_topic_model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny) topic model directory trained on a slice of ANT, shared by the session."""
    return _train_tiny("topic", data_dir, tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def tiny_stance_model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny) stance model directory trained on a slice of ANS."""
    return _train_tiny("stance", data_dir, tmp_path_factory.mktemp("models"))


# ---------------------------------------------------------------------------- summarisation

MODEL_DIR_FILES = frozenset(
    {
        "README.md",
        "config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "khabar_config.json",
        "khabar_preprocessing.json",
        "run_config.yaml",
        "data_summary.json",
        "train_results.json",
        "eval_results.json",
    }
)
"""Files every trained khabar model directory holds, whatever its task."""

TINY_T5 = {
    "layers": 1,
    "decoder_layers": 1,
    "hidden": 64,
    "heads": 2,
    "intermediate": 128,
    "max_positions": 256,
    "vocab_size": 1000,
    "dropout": 0.0,
    "tokenizer_samples": 150,
}


def tiny_summarizer_config(data_dir: Path, output_dir: Path, **overrides: Any) -> dict[str, Any]:
    """Raw config data for a tiny real T5 headline generator trained in seconds on SaudiNewsNet."""
    config: dict[str, Any] = {
        "task": "summarization",
        "name": "tiny-summarizer",
        "data": {
            "dir": str(data_dir),
            "files": {
                s: f"summarization/saudinewsnet/{s}.jsonl.gz" for s in ("train", "dev", "test")
            },
            "max_samples": {"train": 300, "dev": 24, "test": 40},
        },
        "model": {"scratch": dict(TINY_T5), "max_length": 128, "max_target_length": 20},
        # no token twice: a model this small and this briefly trained would otherwise emit
        # mostly the word-boundary piece "▁" (an empty string once decoded)
        "generation": {
            "num_beams": 2,
            "max_new_tokens": 12,
            "min_new_tokens": 3,
            "length_penalty": 0.8,
            "no_repeat_ngram_size": 1,
        },
        "training": {
            "num_train_epochs": 2,
            "learning_rate": 5e-3,
            "per_device_train_batch_size": 16,
            "per_device_eval_batch_size": 24,
            "generation_num_beams": 1,
            "logging_steps": 5,
        },
        "evaluation": {
            "splits": ["test"],
            "metric": "rougeL",
            "max_samples": 16,
            "lead_k": 1,
            "lead_unit": "sentences",
            "extra": {"easc": "summarization/easc/test.jsonl.gz"},
        },
        "output": {"dir": str(output_dir)},
    }
    for key, value in overrides.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    return config


@pytest.fixture(scope="session")
def tiny_summarizer_model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real (tiny, from-scratch T5) headline-generation model directory trained on a slice of
    SaudiNewsNet, with eval_results on 16 test articles and 16 EASC articles (out-of-domain)."""
    from khabar.config import config_from_dict
    from khabar.training import train

    out = tmp_path_factory.mktemp("models") / "tiny-summarizer"
    return train(config_from_dict(tiny_summarizer_config(data_dir, out))).output_dir
