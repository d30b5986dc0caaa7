"""Hostile inputs and unsafe operations (issue #15): nothing lost, nothing run, nothing leaked,
never a traceback. One regression test per defect, on real tiny models (conftest's session
fixtures) and one extra model trained here in a few seconds."""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import tiny_classifier_config, tiny_summarizer_config
from khabar.cli import main
from khabar.config import config_from_dict
from khabar.errors import ConfigError, KhabarError, ModelDirError, OptionError
from khabar.inference.corpus_files import OrderedWriter, OutputLock
from khabar.io import staged_directory
from khabar.model_dir import META_FILE

ARTICLE = "أعلنت وزارة الاقتصاد عن خطة جديدة لدعم الشركات الصغيرة وزيادة الصادرات هذا العام"
OTHER = "فاز المنتخب الوطني لكرة القدم في المباراة النهائية أمس بهدفين نظيفين أمام جمهوره"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``khabar ARGV`` in-process: exit code (argparse's usage errors included), stdout, stderr."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _corpus(path: Path, lines: list[Any]) -> Path:
    """JSONL from dicts (or raw lines, for rows no Python string can hold)."""
    text = [
        line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines
    ]
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path


def _articles(n: int) -> list[dict[str, Any]]:
    return [{"id": f"a{i}", "text": (ARTICLE if i % 2 else OTHER) + f" {i}"} for i in range(n)]


def _predict(model: Path, corpus: Path, out: Path, *extra: str) -> list[str]:
    return [
        "predict",
        "--model",
        str(model),
        "--input",
        str(corpus),
        "--output",
        str(out),
        "--no-progress",
        "--device",
        "cpu",
        "--dtype",
        "float32",
        *extra,
    ]


def _config_file(tmp_path: Path, data_dir: Path, out: Path, **overrides: Any) -> Path:
    path = tmp_path / "run.yaml"
    config = tiny_classifier_config("topic", data_dir, out, **overrides)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def nameless_model(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny topic model whose config has no ``name``, trained under umask 022."""
    from khabar.training import train

    out = tmp_path_factory.mktemp("nameless") / "my-nameless-model"
    config = tiny_classifier_config(
        "topic",
        data_dir,
        out,
        training={"max_steps": 3, "logging_steps": 1},
        data={"max_samples": {"train": 64, "dev": 16, "test": 16}},
    )
    del config["name"]
    old = os.umask(0o022)
    try:
        return train(config_from_dict(config)).output_dir
    finally:
        os.umask(old)


# ----------------------------------------------------------------------- 1, 2: output dirs


def test_overwrite_never_replaces_a_directory_khabar_did_not_write(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thesis = tmp_path / "thesis"
    (thesis / "sub").mkdir(parents=True)
    (thesis / "thesis.txt").write_text("years of work", encoding="utf-8")
    (thesis / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    thesis.chmod(0o750)
    config = _config_file(tmp_path, data_dir, thesis)
    for where in ([], ["--output-dir", os.path.relpath(thesis)]):
        code, _, err = _run(capsys, "train", config, "--overwrite", *where)
        assert code == 2 and "khabar did not write (sub, thesis.txt)" in err
        assert "--overwrite" not in err  # the refusal must not suggest the flag that deletes
    assert (thesis / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    assert (thesis / "sub" / "data.csv").is_file()
    assert stat.S_IMODE(thesis.stat().st_mode) == 0o750
    # the swap itself refuses such a directory too (the deeper rule)
    swap = staged_directory(thesis, keep=("checkpoints",), marker=META_FILE)
    with pytest.raises(ModelDirError, match="khabar did not write"), swap as stage:
        (stage / "model.safetensors").write_bytes(b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.yaml", "thesis"]


def test_overwrite_keeps_the_old_checkpoints_until_config_and_data_are_checked(
    tiny_topic_model: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old-run"
    shutil.copytree(tiny_topic_model, old)
    checkpoints = sorted(p.name for p in (old / "checkpoints").iterdir())
    assert any(name.startswith("checkpoint-") for name in checkpoints)
    missing = {"files": {"train": "topic/ant/no-such-file.jsonl.gz"}}
    config = _config_file(tmp_path, data_dir, old, data=missing)
    code, _, err = _run(capsys, "train", config, "--overwrite")
    assert code == 2 and "no-such-file" in err
    assert sorted(p.name for p in (old / "checkpoints").iterdir()) == checkpoints
    assert (old / META_FILE).is_file()
    # with good data it starts afresh: the earlier checkpoints and tokenizer go, the model is new
    small = {"max_samples": {"train": 48, "dev": 16, "test": 16}}
    config = _config_file(tmp_path, data_dir, old, data=small, training={"max_steps": 2})
    code, _, err = _run(capsys, "train", config, "--overwrite")
    assert code == 0, err
    assert sorted(p.name for p in (old / "checkpoints").iterdir()) == ["checkpoint-2", "tokenizer"]
    assert json.loads((old / "train_results.json").read_text())["train_samples"] == 48


def test_a_run_that_failed_before_its_first_checkpoint_is_started_again(
    tiny_topic_model: Path, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run that failed after training its tokenizer but before a checkpoint leaves only
    ``checkpoints/tokenizer``: nothing to resume, so the fixed rerun starts afresh (it was
    refused as 'checkpoints of an earlier run')."""
    out = tmp_path / "out"
    (out / "checkpoints").mkdir(parents=True)
    shutil.copytree(
        tiny_topic_model / "checkpoints" / "tokenizer", out / "checkpoints" / "tokenizer"
    )
    small = {"max_samples": {"train": 48, "dev": 16, "test": 16}}
    config = _config_file(tmp_path, data_dir, out, data=small, training={"max_steps": 2})
    code, _, err = _run(capsys, "train", config)
    assert code == 0, err
    assert (out / META_FILE).is_file()
    assert sorted(p.name for p in (out / "checkpoints").iterdir()) == ["checkpoint-2", "tokenizer"]


def test_a_killed_save_leaves_nothing_behind_for_long(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / META_FILE).write_text("{}", encoding="utf-8")
    dead = 2**22 + 12345  # above Linux's pid_max default: never a running process
    (tmp_path / f".model.staging-{dead}-abc").mkdir()
    (tmp_path / f".model.old-{dead}").mkdir()
    with staged_directory(target, marker=META_FILE) as stage:
        (stage / META_FILE).write_text('{"new": 1}', encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    # killed between the two moves of the swap: that process's finished stage is put in place
    os.replace(target, tmp_path / f".model.old-{dead}")
    finished = tmp_path / f".model.staging-{dead}-xyz"
    finished.mkdir()
    (finished / META_FILE).write_text('{"newer": 1}', encoding="utf-8")
    with staged_directory(target, marker=META_FILE) as stage:
        assert json.loads((target / META_FILE).read_text()) == {"newer": 1}
        (stage / META_FILE).write_text("{}", encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_a_config_without_a_name_gets_a_card_titled_after_its_directory(
    nameless_model: Path,
) -> None:
    card = (nameless_model / "README.md").read_text(encoding="utf-8")
    assert "my-nameless-model" in card and ".staging-" not in card


# ----------------------------------------------------------------------- 3: remote code


def _evil_copy(src: Path, dest: Path, marker: Path) -> Path:
    """A real model directory whose config.json asks for its own Python code, which would
    write ``marker``."""
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("checkpoints"))
    config = json.loads((dest / "config.json").read_text(encoding="utf-8"))
    config["model_type"] = "khabar-evil"
    config["auto_map"] = {
        "AutoConfig": "modeling_evil.EvilConfig",
        "AutoModel": "modeling_evil.EvilModel",
        "AutoModelForSequenceClassification": "modeling_evil.EvilModel",
    }
    (dest / "config.json").write_text(json.dumps(config), encoding="utf-8")
    (dest / "modeling_evil.py").write_text(
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('the model directory ran code')\n"
        "from transformers import PretrainedConfig, PreTrainedModel\n"
        "class EvilConfig(PretrainedConfig):\n    model_type = 'khabar-evil'\n"
        "class EvilModel(PreTrainedModel):\n    config_class = EvilConfig\n",
        encoding="utf-8",
    )
    return dest


def test_no_loading_path_runs_a_model_directory_s_code(
    tiny_topic_model: Path,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from khabar.inference import TopicClassifier
    from khabar.training import train

    marker = tmp_path / "ran.txt"
    evil = _evil_copy(tiny_topic_model, tmp_path / "evil", marker)
    asked: list[Any] = []
    # transformers prompts "Do you wish to run the custom code? [y/N]" only when
    # trust_remote_code is None: answer yes, and record that it was asked
    monkeypatch.setattr("builtins.input", lambda *a: asked.append(a) or "y")
    monkeypatch.setattr(sys, "stdin", io.StringIO("y\n"))
    code, _, err = _run(capsys, "evaluate", evil, "--no-baseline")
    assert code == 2 and "khabar: error:" in err
    with pytest.raises(ModelDirError):
        TopicClassifier.from_pretrained(evil, device="cpu")
    config = tiny_classifier_config(
        "topic",
        data_dir,
        tmp_path / "out",
        model={"checkpoint": str(evil), "scratch": None},
        data={"max_samples": {"train": 32, "dev": 16, "test": 16}},
    )
    with pytest.raises(KhabarError, match=r"model\.checkpoint"):
        train(config_from_dict(config))
    # a summariser warm-started from it (its config is read by a path of its own)
    config = tiny_summarizer_config(
        data_dir,
        tmp_path / "out2",
        model={"checkpoint": str(evil), "scratch": None, "encoder_decoder": {}},
    )
    with pytest.raises(KhabarError, match="own Python code"):
        train(config_from_dict(config))
    assert not asked and not marker.exists()


# ----------------------------------------------------------------------- 4: publish


def test_publish_never_follows_a_symbolic_link(tiny_topic_model: Path, tmp_path: Path) -> None:
    from khabar.hub import publish

    model = tmp_path / "model"
    shutil.copytree(tiny_topic_model, model, ignore=shutil.ignore_patterns("checkpoints"))
    secret = tmp_path / "id_ed25519"
    secret.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY----- khabar-test-secret")
    (model / "x.png").symlink_to(secret)
    (model / "khabar_x.json").symlink_to(secret)
    stage = tmp_path / "stage"
    result = publish(model, "org/name", dry_run=True, output=stage)
    names = {f.name for f in result.files}
    assert "x.png" not in names and "khabar_x.json" not in names and "model.safetensors" in names
    for path in stage.rglob("*"):
        assert not path.is_symlink()
        assert b"khabar-test-secret" not in path.read_bytes(), path


def test_a_refused_dry_run_leaves_no_copy_of_the_model(
    tiny_topic_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from khabar.hub import PublishError, publish

    token = "hf_khabarTestTokenThatMustNeverBeStaged"
    model = tmp_path / "model"
    shutil.copytree(tiny_topic_model, model, ignore=shutil.ignore_patterns("checkpoints"))
    (model / "khabar_notes.json").write_text(json.dumps({"token": token}), encoding="utf-8")
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    with pytest.raises(PublishError, match="token"):
        publish(model, "org/name", dry_run=True, token=token)
    assert list(system_tmp.iterdir()) == []
    stage = tmp_path / "stage"
    with pytest.raises(PublishError):
        publish(model, "org/name", dry_run=True, output=stage, token=token)
    assert list(stage.iterdir()) == []


# ----------------------------------------------------------------------- 5: permissions


def test_a_trained_model_directory_is_readable_by_other_accounts(nameless_model: Path) -> None:
    # trained under umask 022: 0755 directories, 0644 files, like plain mkdir() and open()
    assert stat.S_IMODE(nameless_model.stat().st_mode) == 0o755
    for path in [nameless_model, *nameless_model.rglob("*")]:
        if path.is_symlink():
            continue
        expected = 0o755 if path.is_dir() else 0o644
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


# ----------------------------------------------------------------------- 6: surrogates


def test_a_lone_surrogate_is_one_rejected_row_never_a_crash(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(
        tmp_path / "corpus.jsonl",
        [
            {"id": "a", "text": ARTICLE},
            '{"id": "\\ud800", "text": "%s"}' % ARTICLE,  # noqa: UP031
            '{"id": "b", "text": "\\udc00 %s"}' % ARTICLE,  # noqa: UP031
            {"id": "c", "text": OTHER},
        ],
    )
    out = tmp_path / "preds.jsonl"
    code, _, err = _run(capsys, *_predict(tiny_topic_model, corpus, out, "--chunk-size", "8"))
    assert code == 0, err
    assert [r["id"] for r in _rows(out)] == ["a", "c"]
    rejects = _rows(tmp_path / "preds.jsonl.rejects.jsonl")
    assert [(r["line"], r["id"]) for r in rejects] == [(2, None), (3, "b")]
    assert "field 'id'" in rejects[0]["error"] and "field 'text'" in rejects[1]["error"]
    assert _run(capsys, *_predict(tiny_topic_model, corpus, out))[0] == 0  # not stuck on it
    code, printed, _ = _run(capsys, "analyze", "--model", tiny_topic_model, corpus, "--json")
    lines = [json.loads(line) for line in printed.splitlines()]
    assert code == 0 and [r.get("id") for r in lines] == ["a", None, "b", "c"]
    assert "lone surrogate" in lines[1]["error"] and "label" in lines[3]["topic"]
    # every writer: a record that holds one (from an option, say) becomes a reject
    writer = OrderedWriter(tmp_path / "o.jsonl", tmp_path / "r.jsonl")
    writer.write("out", {"line": 9, "id": "x", "target": "\udcff"})
    writer.commit()
    writer.close()
    assert (tmp_path / "o.jsonl").read_bytes() == b""
    assert _rows(tmp_path / "r.jsonl")[0]["error"].startswith("field 'target' holds a lone")


def test_one_decoding_rule_for_training_data(tmp_path: Path) -> None:
    from khabar.data import iter_records
    from khabar.errors import DataError

    jsonl = tmp_path / "train.jsonl"
    jsonl.write_bytes(
        b'\xef\xbb\xbf{"text": "a", "label": "x"}\n'  # a BOM on line 1
        b'{"text": "\xff", "label": "x"}\n'  # not UTF-8: this line only
        b'{"text": "\\ud800", "label": "x"}\n'  # a lone surrogate
        b'{"text": "b", "label": "y"}\n'
    )
    got = list(iter_records(jsonl))
    assert got[0] == (1, {"text": "a", "label": "x"}) and got[3] == (4, {"text": "b", "label": "y"})
    assert isinstance(got[1][1], DataError) and "not valid UTF-8" in str(got[1][1])
    assert isinstance(got[2][1], DataError) and "field 'text'" in str(got[2][1])
    csv = tmp_path / "train.csv"
    csv.write_bytes(b"\xef\xbb\xbftext,label\nhello,x\n")
    assert list(iter_records(csv)) == [(2, {"text": "hello", "label": "x"})]


# ----------------------------------------------------------------------- 7, 8: corpus state


def test_a_second_predict_on_the_same_output_is_refused(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", _articles(4))
    out = tmp_path / "preds.jsonl"
    with OutputLock(out):  # another run holds the output
        code, _, err = _run(capsys, *_predict(tiny_topic_model, corpus, out))
    assert code == 2 and "being written by another khabar predict" in err
    assert not out.exists()
    assert _run(capsys, *_predict(tiny_topic_model, corpus, out))[0] == 0
    assert len(_rows(out)) == 4 and not (tmp_path / "preds.jsonl.lock").exists()


def test_resume_notices_a_changed_input_and_changed_options(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _articles(30)
    corpus = _corpus(tmp_path / "corpus.jsonl", rows)
    out = tmp_path / "preds.jsonl"
    run_file = tmp_path / "preds.jsonl.run.json"
    args = _predict(tiny_topic_model, corpus, out, "--chunk-size", "8")
    assert _run(capsys, *args)[0] == 0
    # as a kill after two chunks leaves it
    out.write_text("\n".join(out.read_text().splitlines()[:16]) + "\n", encoding="utf-8")
    state = json.loads(run_file.read_text())
    run_file.write_text(json.dumps({**state, "complete": False}), encoding="utf-8")
    _corpus(corpus, [{"id": f"new{i}", "text": ARTICLE} for i in range(100)] + rows)
    code, _, err = _run(capsys, *args)
    assert code == 2 and "input's content differs" in err and "--overwrite" in err
    assert len(_rows(out)) == 16
    _corpus(corpus, rows)
    code, _, err = _run(capsys, *args, "--top-k", "2")
    assert code == 2 and "--top-k: None then, 2 now" in err
    assert _run(capsys, *args)[0] == 0  # the same input and options: resumed
    assert [r["line"] for r in _rows(out)] == list(range(1, 31))
    _corpus(corpus, [{"id": f"new{i}", "text": ARTICLE} for i in range(100)] + rows)
    assert _run(capsys, *args, "--overwrite")[0] == 0
    assert [r["line"] for r in _rows(out)] == list(range(1, 131))


# ----------------------------------------------------------------------- 9, 10: every row


def test_options_that_would_fail_every_row_are_refused_before_the_first(
    tiny_summarizer_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from khabar.inference import Summarizer
    from khabar.inference.corpus import predict_corpus

    corpus = _corpus(tmp_path / "corpus.jsonl", _articles(3))
    out = tmp_path / "sums.jsonl"
    code, _, err = _run(capsys, *_predict(tiny_summarizer_model, corpus, out, "--num-beams", "0"))
    assert code == 2 and "--num-beams" in err
    code, _, err = _run(
        capsys, "analyze", "--model", tiny_summarizer_model, corpus, "--num-beams", "0"
    )
    assert code == 2 and "--num-beams" in err
    summarizer = Summarizer.from_pretrained(tiny_summarizer_model, device="cpu", dtype="float32")
    with pytest.raises(ValueError, match="num_beams"):
        summarizer.predict(ARTICLE, num_beams=0)
    with pytest.raises(OptionError, match="num_beams"):
        predict_corpus(summarizer, corpus, out, generate_kwargs={"num_beams": 0}, progress=False)
    assert not out.exists() and not (tmp_path / "sums.jsonl.run.json").exists()


def test_a_run_where_every_row_failed_is_not_complete(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", ["not json", "{oops", "[1, 2]"])
    out = tmp_path / "preds.jsonl"
    for _ in range(2):  # and a rerun is not "complete already (0 rows)"
        code, _, err = _run(capsys, *_predict(tiny_topic_model, corpus, out))
        assert code == 2 and "every one of the 3 input rows was rejected" in err
        assert "line 1: malformed JSON" in err
    assert json.loads((tmp_path / "preds.jsonl.run.json").read_text())["complete"] is False
    _corpus(corpus, _articles(3))
    assert _run(capsys, *_predict(tiny_topic_model, corpus, out))[0] == 0
    assert [r["id"] for r in _rows(out)] == ["a0", "a1", "a2"]


def test_each_input_gets_its_own_returned_sequences(tiny_summarizer_model: Path) -> None:
    from khabar.inference import Summarizer

    summarizer = Summarizer.from_pretrained(tiny_summarizer_model, device="cpu", dtype="float32")
    texts = [ARTICLE + " " + ARTICLE, OTHER]
    together = summarizer.predict(texts, num_beams=4, num_return_sequences=4)
    for text, result in zip(texts, together):
        alone = summarizer.predict(text, num_beams=4, num_return_sequences=4)
        assert (result.text, result.alternatives) == (alone.text, alone.alternatives)
        assert len(result.alternatives) == 3


# ----------------------------------------------------------------------- 11: training values


@pytest.mark.parametrize(
    ("overrides", "key", "says"),
    [
        (["training.eval_strategy=no"], "training.eval_strategy", "quote it: 'no'"),
        (
            ["training.eval_strategy='no'", "training.early_stopping_patience=2"],
            "training.early_stopping_patience",
            "needs evaluation during training",
        ),
        (["training.learning_rate=abc"], "training.learning_rate", "expected float, got 'abc'"),
        (['training.max_steps="3"'], "training.max_steps", "expected int, got '3'"),
        (["training.fp16=maybe"], "training.fp16", "expected bool"),
    ],
)
def test_training_values_are_checked_before_anything_runs(
    overrides: list[str],
    key: str,
    says: str,
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = _config_file(tmp_path, data_dir, tmp_path / "out")
    sets = [arg for o in overrides for arg in ("--set", o)]
    code, _, err = _run(capsys, "config", "check", config, *sets)
    assert code == 1 and f"key '{key}'" in err and says in err
    code, _, err = _run(capsys, "train", config, *overrides)
    assert code == 2 and f"key '{key}'" in err and says in err
    assert not (tmp_path / "out").exists()


def test_training_arguments_refusals_name_the_key(data_dir: Path, tmp_path: Path) -> None:
    from transformers import EarlyStoppingCallback

    from khabar.training.common import build_callbacks, build_training_arguments

    config = config_from_dict(
        tiny_classifier_config(
            "topic",
            data_dir,
            tmp_path / "out",
            training={"learning_rate": "5e-5", "load_best_model_at_end": True},
        )
    )
    assert config.training["learning_rate"] == 5e-5  # YAML 1.1 reads 5e-5 as a string
    config.training["save_strategy"] = "steps"  # the eval strategy (epoch) must match
    with pytest.raises(ConfigError, match=r"training\.load_best_model_at_end"):
        build_training_arguments(config, tmp_path / "out")
    config.training.update(save_strategy="no", early_stopping_patience=2)
    config.training.pop("load_best_model_at_end")
    args = build_training_arguments(config, tmp_path / "out")
    args.eval_strategy = "no"  # type: ignore[assignment]  # no dev split: evaluation is off
    callbacks = build_callbacks(config, (), args).all
    assert not any(isinstance(c, EarlyStoppingCallback) for c in callbacks)


# ----------------------------------------------------------------------- 12, 13: options, output


@pytest.mark.parametrize(
    "option",
    [
        ["--batch-size", "0"],
        ["--chunk-size", "0"],
        ["--num-beams", "0"],
        ["--max-windows", "-1"],
        ["--max-length", "4"],
        ["--stride", "-1"],
        ["--top-k", "0"],
        ["--max-new-tokens", "zero"],
        ["--lead-weight", "1.5"],
        ["--lead-weight", "half"],
    ],
)
def test_runtime_options_are_checked_at_the_command_line(
    option: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, *_predict(tmp_path, tmp_path / "in", tmp_path / "o"), *option)
    assert code == 2 and f"argument {option[0]}:" in err


def test_options_the_model_refuses_are_clean_errors(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import torch

    corpus = _corpus(tmp_path / "corpus.jsonl", _articles(2))
    out = tmp_path / "preds.jsonl"
    cases = [(["--max-length", "100000"], "--max-length"), (["--stride", "9999"], "--stride")]
    if not torch.cuda.is_available():
        cases.append((["--device", "cuda"], "--device"))
    for extra, option in cases:
        code, _, err = _run(capsys, *_predict(tiny_topic_model, corpus, out), *extra)
        assert code == 2 and f"khabar: error: {option}" in err, err
        code, _, err = _run(capsys, "analyze", "--model", tiny_topic_model, corpus, *extra)
        assert code == 2 and f"khabar: error: {option}" in err, err
    assert not out.exists()


def test_output_problems_are_refused_before_the_model_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", _articles(2))
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    no_model = tmp_path / "no-such-model"  # an output checked after loading would fail on this
    cases = [
        ([tmp_path], [], "is a directory"),
        ([tmp_path / "a-file" / "preds.jsonl"], [], "is not a directory"),
        ([tmp_path / "p.jsonl"], ["--rejects", tmp_path / "p.jsonl"], "the same file"),
        ([corpus], [], "is the input file"),
    ]
    if not os.access("/sys", os.W_OK) or os.geteuid() == 0:
        probe = Path("/sys") / "khabar-probe"
        try:
            probe.write_text("x")
            probe.unlink()
        except OSError:  # /sys refuses new files even to root: a read-only location
            cases.append(([probe / "preds.jsonl"], [], "cannot write in"))
    for (out,), extra, says in cases:
        argv = _predict(no_model, corpus, out, *[str(e) for e in extra])
        code, _, err = _run(capsys, *argv)
        assert code == 2 and says in err and "no-such-model" not in err, err
    code, _, err = _run(capsys, "evaluate", no_model, "--output", tmp_path)
    assert code == 2 and "--output" in err and "is a directory" in err


def test_a_full_disk_is_a_clean_error_and_the_rerun_resumes(
    tiny_topic_model: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    corpus = _corpus(tmp_path / "corpus.jsonl", _articles(12))
    out = tmp_path / "preds.jsonl"
    real_init = OrderedWriter.__init__

    class FullDisk(io.BytesIO):
        def __init__(self, handle: Any) -> None:
            super().__init__()
            self.handle, self.writes = handle, 0

        def write(self, data: Any) -> int:
            self.writes += 1
            if self.writes > 5:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return int(self.handle.write(data))

        def flush(self) -> None:
            self.handle.flush()

        def fileno(self) -> int:
            return int(self.handle.fileno())

    def full_disk_init(self: OrderedWriter, output: Path, rejects: Path) -> None:
        real_init(self, output, rejects)
        self._files["out"] = FullDisk(self._files["out"])  # type: ignore[assignment]

    monkeypatch.setattr(OrderedWriter, "__init__", full_disk_init)
    code, _, err = _run(capsys, *_predict(tiny_topic_model, corpus, out, "--chunk-size", "4"))
    assert code == 2 and "No space left on device" in err and "rerun" in err
    monkeypatch.setattr(OrderedWriter, "__init__", real_init)
    assert _run(capsys, *_predict(tiny_topic_model, corpus, out, "--chunk-size", "4"))[0] == 0
    assert [r["line"] for r in _rows(out)] == list(range(1, 13))


def test_a_chunk_is_on_disk_before_it_counts_as_done(
    tiny_topic_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from khabar.inference import TopicClassifier
    from khabar.inference.corpus import predict_corpus

    corpus = _corpus(tmp_path / "corpus.jsonl", _articles(10))
    clf = TopicClassifier.from_pretrained(tiny_topic_model, device="cpu", dtype="float32")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    predict_corpus(clf, corpus, tmp_path / "p.jsonl", chunk_size=4, progress=False)
    assert len(synced) >= 3 * 2  # three chunks, two files each


# ----------------------------------------------------------------------- smaller ones


def test_the_python_api_refuses_what_it_would_silently_misread(tiny_topic_model: Path) -> None:
    from khabar.inference import TopicClassifier

    clf = TopicClassifier.from_pretrained(tiny_topic_model, device="cpu", dtype="float32")
    with pytest.raises(TypeError, match=r"row\['text'\]"):
        clf.predict({"text": ARTICLE})  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="pass a text"):
        clf.predict(42)  # type: ignore[call-overload]
    for top_k in (0, -1):
        with pytest.raises(ValueError, match="top_k"):
            clf.predict(ARTICLE, top_k=top_k)
    assert len(clf.predict(ARTICLE, top_k=1).scores) == 1


def test_pretty_output_shows_control_characters_escaped(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _corpus(
        tmp_path / "corpus.jsonl", [{"id": "\x1b[2J\x1b[31mred\u202e", "text": ARTICLE}]
    )
    code, out, _ = _run(capsys, "analyze", "--model", tiny_topic_model, corpus, "--pretty")
    assert code == 0 and "\x1b" not in out and "\u202e" not in out
    assert "id \\x1b[2J\\x1b[31mred\\u202e" in out


# ------------------------------------------------------------------ damaged model directories


def _damage(model: Path, how: str) -> None:
    if how == "truncated weights":
        weights = model / "model.safetensors"
        weights.write_bytes(weights.read_bytes()[:1000])
    elif how == "broken khabar_config.json":
        (model / META_FILE).write_text("", encoding="utf-8")
    else:
        (model / how.removeprefix("no ")).unlink()


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("truncated weights", r"weights in .* are truncated or corrupt"),
        ("broken khabar_config.json", r"khabar_config\.json cannot be read"),
        ("no tokenizer_config.json", r"has no tokenizer_config\.json"),
        ("no tokenizer.json", r"has no tokenizer vocabulary"),
    ],
)
def test_a_damaged_model_directory_is_named(
    how: str,
    message: str,
    tiny_topic_model: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    model = tmp_path / "model"
    shutil.copytree(tiny_topic_model, model, ignore=shutil.ignore_patterns("checkpoints"))
    _damage(model, how)
    code, _, err = _run(capsys, "analyze", "--model", str(model), "-")
    assert code == 2 and "khabar: error:" in err and "unexpected" not in err, err
    assert re.search(message, err), err


def test_a_directory_given_as_an_input_file_is_named_as_one(
    tiny_topic_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "analyze", "--model", str(tiny_topic_model), str(tmp_path))
    assert code == 2 and "is a directory; give an input file" in err
    code, _, err = _run(capsys, *_predict(tiny_topic_model, tmp_path, tmp_path / "out.jsonl"))
    assert code == 2 and "is a directory; give an input file" in err
    code, out, err = _run(capsys, "config", "check", str(tmp_path))
    assert code != 0 and "is a directory; give a YAML config file" in out + err


def test_an_empty_reading_value_is_refused(
    tiny_topic_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "evaluate", str(tiny_topic_model), "--reading", "max_windows=")
    assert code == 2 and "reading.max_windows" in err and "give a value" in err
