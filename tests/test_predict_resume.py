"""``khabar predict`` survives a kill (rerun continues, no row lost or doubled) and splits a
corpus across 2 CPU processes under ``accelerate launch``: real subprocesses, a real tiny model."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from khabar.inference import TopicClassifier
from khabar.inference.corpus import Distributed, predict_corpus

ROOT = Path(__file__).resolve().parents[1]
PREDICT = ROOT / "scripts" / "predict.py"


def _corpus(data_dir: Path, path: Path, n: int) -> Path:
    """``n`` ANT articles with a few unusable lines among them, gzipped."""
    lines: list[bytes] = []
    with gzip.open(data_dir / "topic/ant/train.jsonl.gz", "rt", encoding="utf-8") as handle:
        for i, raw in enumerate(handle):
            if len(lines) >= n:
                break
            r = json.loads(raw)
            lines.append(
                json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False).encode()
            )
            if i % 97 == 5:
                lines.append(b"not json at all")
            if i % 131 == 7:
                lines.append(b'{"id": "empty", "text": ""}')
    with gzip.open(path, "wb") as out:
        out.write(b"\n".join(lines) + b"\n")
    return path


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert [r["line"] for r in a] == [r["line"] for r in b]
    for x, y in zip(a, b):
        assert {k: v for k, v in x.items() if k not in ("score", "scores")} == {
            k: v for k, v in y.items() if k not in ("score", "scores")
        }
        assert x.get("score", 0) == pytest.approx(y.get("score", 0), abs=1e-5)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
    return env


def _predict_args(model: Path, corpus: Path, out: Path) -> list[str]:
    """scripts/predict.py and the settings every run here shares (small chunks, fp32 on CPU)."""
    return [
        str(PREDICT),
        "--model",
        str(model),
        "--input",
        str(corpus),
        "--output",
        str(out),
        "--chunk-size",
        "16",
        "--batch-size",
        "8",
        "--device",
        "cpu",
        "--dtype",
        "float32",
    ]


@pytest.fixture(scope="module")
def reference(tiny_topic_model: Path, data_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """An uninterrupted single-process run over the corpus."""
    root = tmp_path_factory.mktemp("resume")
    corpus = _corpus(data_dir, root / "corpus.jsonl.gz", 240)
    out = root / "reference.jsonl"
    clf = TopicClassifier.from_pretrained(
        tiny_topic_model, device="cpu", batch_size=8, dtype="float32"
    )
    predict_corpus(clf, corpus, out, chunk_size=16, progress=False, distributed=Distributed())
    return corpus, _rows(out), _rows(root / "reference.jsonl.rejects.jsonl")


def test_kill_and_resume_loses_and_repeats_nothing(
    reference: tuple[Path, list[dict[str, Any]], list[dict[str, Any]]],
    tiny_topic_model: Path,
    tmp_path: Path,
) -> None:
    corpus, expected, expected_rejects = reference
    out = tmp_path / "preds.jsonl"
    cmd = [sys.executable, *_predict_args(tiny_topic_model, corpus, out)]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if out.is_file() and out.read_bytes().count(b"\n") >= 48:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _rows(out) if out.is_file() else []
    assert 48 <= len(partial) < len(expected)
    assert not json.loads((tmp_path / "preds.jsonl.run.json").read_text())["complete"]

    done = subprocess.run(cmd, env=_env(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resumed after line" in done.stderr
    rows = _rows(out)
    lines = [r["line"] for r in rows]
    assert len(lines) == len(set(lines)), "a row was written twice"
    _same(rows, expected)
    assert _rows(tmp_path / "preds.jsonl.rejects.jsonl") == expected_rejects
    assert json.loads((tmp_path / "preds.jsonl.run.json").read_text())["complete"]


def test_accelerate_launch_splits_and_merges_in_order(
    reference: tuple[Path, list[dict[str, Any]], list[dict[str, Any]]],
    tiny_topic_model: Path,
    tmp_path: Path,
) -> None:
    corpus, expected, expected_rejects = reference
    out = tmp_path / "preds.jsonl"
    cmd = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "--multi_gpu",  # with --device cpu: 2 CPU processes over gloo
        *_predict_args(tiny_topic_model, corpus, out),
        "--no-progress",
    ]
    done = subprocess.run(cmd, env=_env(), capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    _same(_rows(out), expected)
    assert _rows(tmp_path / "preds.jsonl.rejects.jsonl") == expected_rejects
    assert not list(tmp_path.glob("*.part*")), "part files are removed after the merge"
    run = json.loads((tmp_path / "preds.jsonl.run.json").read_text())
    assert run["complete"] and run["world_size"] == 2 and run["rows"] == len(expected)
