"""Run configs: typed loading, errors that name the file, key and fix, and the shipped configs."""

from __future__ import annotations

from pathlib import Path

import pytest

from khabar.cli import main
from khabar.config import apply_overrides, config_from_dict, load_config
from khabar.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
CONFIGS = sorted((REPO / "configs").rglob("*.yaml"))

MINIMAL = """
task: topic
data:
  files: {train: t.jsonl, dev: d.jsonl}
model:
  scratch: {layers: 1, hidden: 64, heads: 2}
"""


def write(tmp_path: Path, text: str, name: str = "run.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL))
    assert config.task == "topic"
    assert config.model.scratch is not None and config.model.scratch.hidden == 64
    assert config.model.max_length == 256
    assert config.evaluation.metric == "macro_f1"
    assert config.source_file and config.source_file.endswith("run.yaml")


def test_unknown_key_names_file_key_and_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL.replace("  scratch:", "  scrach:"))
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    assert "model.scrach" in message
    assert "did you mean 'scratch'" in message


def test_unknown_training_argument_suggests_closest(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL + "training:\n  learning_rat: 0.1\n")
    with pytest.raises(ConfigError, match=r"training\.learning_rat.*did you mean 'learning_rate'"):
        load_config(path)


@pytest.mark.parametrize(
    ("snippet", "pattern"),
    [
        ("model:\n  scratch: {layers: two}\n", r"model\.scratch\.layers.*expected an integer"),
        (
            "data:\n  files: {train: t.jsonl}\n  drop_duplicates: 'yes'\n",
            r"data\.drop_duplicates.*true or false",
        ),
        (
            "data:\n  files: {train: t.jsonl}\n  on_error: ignore\n",
            r"data\.on_error.*'error', 'skip'",
        ),
    ],
)
def test_wrong_types_are_named(tmp_path: Path, snippet: str, pattern: str) -> None:
    base = "task: topic\nmodel:\n  scratch: {}\ndata:\n  files: {train: t.jsonl}\n"
    # later sections replace earlier ones in YAML mappings: put the broken one last
    path = write(tmp_path, base + snippet)
    with pytest.raises(ConfigError, match=pattern):
        load_config(path)


def test_missing_required_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"key 'task'.*required field is missing"):
        load_config(write(tmp_path, "data:\n  files: {train: a.jsonl}\nmodel:\n  scratch: {}\n"))


def test_model_needs_exactly_one_source(tmp_path: Path) -> None:
    both = MINIMAL + "  checkpoint: aubmindlab/bert-base-arabertv02\n"
    with pytest.raises(ConfigError, match=r"exactly one of model\.checkpoint"):
        load_config(write(tmp_path, both))


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"run.yaml: invalid YAML at line \d+, column \d+"):
        load_config(write(tmp_path, "task: topic\ndata: [unclosed\n"))


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config("/nonexistent/run.yaml")


def test_fp16_refused_for_t5_family(tmp_path: Path) -> None:
    text = (
        "task: summarization\ndata:\n  files: {train: t.jsonl}\n"
        "model:\n  checkpoint: UBC-NLP/AraT5v2-base-1024\ntraining:\n  fp16: true\n"
    )
    with pytest.raises(ConfigError, match=r"training\.fp16.*NaN.*bf16"):
        load_config(write(tmp_path, text))


def test_overrides_apply_dotted_keys(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, MINIMAL),
        ["training.num_train_epochs=1", "model.scratch.layers=3", "seed=7"],
    )
    assert config.training["num_train_epochs"] == 1
    assert config.model.scratch is not None and config.model.scratch.layers == 3
    assert config.seed == 7
    with pytest.raises(ConfigError, match=r"dotted\.key=value"):
        apply_overrides({}, ["novalue"])


def test_text_section_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"text"):
        load_config(write(tmp_path, MINIMAL + "text:\n  normalizer: {unify_alif: true}\n"))


def test_roundtrip_to_dict() -> None:
    data = {"task": "stance", "data": {"files": {"train": "a.jsonl"}}, "model": {"scratch": {}}}
    config = config_from_dict(data)
    again = config_from_dict(config.to_dict())
    assert again.to_dict() == config.to_dict()


@pytest.mark.parametrize("path", CONFIGS, ids=[str(p.relative_to(REPO)) for p in CONFIGS])
def test_shipped_configs_are_valid(path: Path) -> None:
    config = load_config(path)
    assert config.output.dir.startswith("outputs/")
    assert config.name and config.description


def test_config_check_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", *map(str, CONFIGS)]) == 0
    bad = write(tmp_path, MINIMAL.replace("task: topic", "task: topik"))
    assert main(["config", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "topik" in err and "did you mean 'topic'" in err


@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        ("evaluation.metric=bleu", r"evaluation\.metric.*'bleu' is not a topic metric"),
        ("evaluation.metric=rougeL", r"evaluation\.metric.*'rougeL' is not a topic metric"),
        ("evaluation.splits=[dev,tst]", r"evaluation\.splits.*'tst' is not a split name"),
        ("evaluation.batch_size=0", r"evaluation\.batch_size.*at least 1"),
        ("training.per_device_train_batch_size=0", r"per_device_train_batch_size.*greater than 0"),
        ("training.gradient_accumulation_steps=0", r"gradient_accumulation_steps.*greater than 0"),
    ],
)
def test_values_that_would_fail_late_are_refused_at_load(
    tmp_path: Path, override: str, pattern: str
) -> None:
    with pytest.raises(ConfigError, match=pattern):
        load_config(write(tmp_path, MINIMAL), [override])


def test_a_summariser_keeps_its_rouge_metric(tmp_path: Path) -> None:
    text = MINIMAL.replace("task: topic", "task: summarization").replace(
        "  scratch: {layers: 1, hidden: 64, heads: 2}", "  scratch: {}"
    )
    assert load_config(write(tmp_path, text), ["evaluation.metric=rouge2"]).evaluation.metric == (
        "rouge2"
    )
    with pytest.raises(ConfigError, match=r"'accuracy' is not a summarization metric"):
        load_config(write(tmp_path, text), ["evaluation.metric=accuracy"])
