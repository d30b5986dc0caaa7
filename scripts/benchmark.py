#!/usr/bin/env python
"""Throughput, peak memory and accuracy: khabar inference against a plain transformers pipeline.

    python scripts/benchmark.py --model /tmp/runs/ant_full --data-dir ../shared/data --n 2000 \\
        [--summarizer DIR] [--n-summaries 100]

On the same trained topic model and the same ``--n`` articles of the model's test split (read and
label-mapped with the model's own ``run_config.yaml``, so ``internationalNews``/``middleEast``
count as ``politics``), it runs, each in a fresh subprocess so that every peak RSS is clean:

- ``khabar``: ``TopicClassifier.predict`` (preprocessing, whole article in windows, length-sorted
  batches);
- ``pipeline``: ``transformers.pipeline("text-classification", model=DIR, batch_size=32,
  truncation=True)`` on the raw texts (first 512 tokens, no preprocessing);
- ``khabar-fp32``: the same with ``dtype="float32"`` (``khabar`` uses the default
  ``dtype="auto"``: bfloat16 weights on CPUs with AMX, float32 weights under bf16 autocast on
  CPUs with AVX512-BF16 only, float32 elsewhere);
- ``khabar-int8``: ``TopicClassifier.from_pretrained(DIR, quantize=True)``;
- ``khabar-compiled``: ``TopicClassifier.from_pretrained(DIR, compile=True)`` (``torch.compile``);
  its one-off compilation happens in a longer warm-up, reported on its own;
- with ``--summarizer``: ``Summarizer.predict`` on SaudiNewsNet test articles (articles/s).

Timings exclude model loading and a short warm-up; every variant gets the same texts and threads.
The numbers are printed, not asserted.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

WARMUP = 16
COMPILE_WARMUP = 300


def _status_mb(field: str) -> float | None:
    """A memory field of /proc/self/status in MB (Linux), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _rss_mb() -> float:
    """Current resident set size."""
    return _status_mb("VmRSS") or _peak_mb()


def _peak_mb() -> float:
    """Peak resident set size of this process. VmHWM, not ru_maxrss: after fork + exec Linux
    carries the parent's ru_maxrss over into the child, VmHWM starts fresh with the new image."""
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# ----------------------------------------------------------------------------- workers


def _worker(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    with open(args.texts, encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    texts = [r["text"] for r in rows]
    base = _rss_mb()
    import torch

    dtype = "float32"
    if args.worker == "pipeline":
        from transformers import pipeline
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        pipe = pipeline(
            "text-classification", model=args.model, batch_size=args.batch_size, truncation=True
        )

        def run(batch: list[str]) -> list[str]:
            return [out["label"] for out in pipe(batch)]

    elif args.worker in ("khabar", "khabar-fp32", "khabar-int8", "khabar-compiled"):
        from khabar.inference import TopicClassifier

        clf = TopicClassifier.from_pretrained(
            args.model,
            batch_size=args.batch_size,
            quantize=args.worker == "khabar-int8",
            dtype="float32" if args.worker == "khabar-fp32" else "auto",
            max_windows=args.max_windows,
            compile=args.worker == "khabar-compiled",
        )
        dtype = "int8 (dynamic)" if args.worker == "khabar-int8" else str(clf.model.dtype)
        if clf.autocast is not None:
            dtype += f"+{str(clf.autocast).replace('torch.', '')} autocast"

        def run(batch: list[str]) -> list[str]:
            return [str(r.label) for r in clf.predict(batch)]

    elif args.worker == "summarizer":
        from khabar.inference import Summarizer

        summarizer = Summarizer.from_pretrained(args.model, batch_size=args.batch_size)
        dtype = str(summarizer.model.dtype)

        def run(batch: list[str]) -> list[str]:
            return [r.text for r in summarizer.predict(batch)]

    else:
        raise SystemExit(f"unknown worker {args.worker}")
    loaded = _rss_mb()
    start = time.perf_counter()
    # compiled variants compile while they warm up: on batches of every length, as a long run would
    run(texts[: COMPILE_WARMUP if args.worker == "khabar-compiled" else WARMUP])
    warmup_seconds = time.perf_counter() - start
    start = time.perf_counter()
    preds = run(texts)
    seconds = time.perf_counter() - start
    return {
        "variant": args.worker,
        "rows": len(texts),
        "seconds": round(seconds, 3),
        "warmup_seconds": round(warmup_seconds, 1),
        "rows_per_s": round(len(texts) / seconds, 2),
        "peak_rss_mb": round(_peak_mb(), 1),
        "model_rss_mb": round(loaded - base, 1),
        "threads": torch.get_num_threads(),
        "dtype": dtype.replace("torch.", ""),
        "predictions": preds,
    }


# ----------------------------------------------------------------------------- main


def _load_topic_rows(model: Path, data_dir: Path, n: int, seed: int) -> list[dict[str, str]]:
    """``n`` test articles (text with the title prepended if the model was trained so) and
    their labels mapped with the model's own data config."""
    from khabar.config import load_config
    from khabar.data import load_data

    os.environ["KHABAR_DATA_DIR"] = str(data_dir.resolve())
    config = load_config(
        model / "run_config.yaml", [f"data.dir={data_dir.resolve()}", "data.max_samples={}"]
    )
    data, _ = load_data(config, splits=["test"])
    test = data["test"]
    names = test.features["label"].names
    rows = [{"text": t, "label": names[y]} for t, y in zip(test["text"], test["label"])]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def _load_summary_rows(data_dir: Path, n: int) -> list[dict[str, str]]:
    path = data_dir / "summarization" / "saudinewsnet" / "test.jsonl.gz"
    rows = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            rows.append({"text": json.loads(line)["text"]})
            if len(rows) >= n:
                break
    return rows


def _spawn(
    variant: str, model: Path, texts: Path, batch_size: int, max_windows: int | None = None
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        variant,
        "--model",
        str(model),
        "--texts",
        str(texts),
        "--batch-size",
        str(batch_size),
    ]
    if max_windows is not None:
        cmd += ["--max-windows", str(max_windows)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"{variant} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _scores(preds: list[str], gold: list[str], labels: list[str]) -> dict[str, float]:
    from khabar.metrics import classification_report

    index = {name: i for i, name in enumerate(labels)}
    report = classification_report([index[p] for p in preds], [index[g] for g in gold], labels)
    return {"accuracy": report["accuracy"], "macro_f1": report["macro_f1"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, type=Path, help="trained topic model directory")
    parser.add_argument("--data-dir", type=Path, help="khabar data directory (../shared/data)")
    parser.add_argument("--n", type=int, default=2000, help="test articles (default 2000)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-windows",
        type=int,
        help="windows read per article by the khabar variants (default: the model's setting)",
    )
    parser.add_argument("--summarizer", type=Path, help="summarisation model directory")
    parser.add_argument("--n-summaries", type=int, default=100)
    parser.add_argument(
        "--variants",
        default="khabar,khabar-fp32,khabar-int8,khabar-compiled,pipeline",
        help="comma-separated variants",
    )
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--texts", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args), ensure_ascii=False))
        return 0
    if args.data_dir is None:
        raw = os.environ.get("KHABAR_DATA_DIR")
        if not raw:
            parser.error("--data-dir (or $KHABAR_DATA_DIR) is needed")
        args.data_dir = Path(raw)

    from khabar.model_dir import ModelMeta

    meta = ModelMeta.load(args.model)
    rows = _load_topic_rows(args.model, args.data_dir, args.n, args.seed)
    gold = [r["label"] for r in rows]
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        texts = Path(tmp) / "texts.jsonl"
        texts.write_text(
            "".join(json.dumps({"text": r["text"]}, ensure_ascii=False) + "\n" for r in rows),
            encoding="utf-8",
        )
        for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
            print(f"running {variant} on {len(rows)} articles ...", file=sys.stderr, flush=True)
            results[variant] = _spawn(variant, args.model, texts, args.batch_size, args.max_windows)
            results[variant].update(_scores(results[variant]["predictions"], gold, meta.labels))
        if args.summarizer:
            srows = _load_summary_rows(args.data_dir, args.n_summaries)
            stexts = Path(tmp) / "summaries.jsonl"
            stexts.write_text(
                "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in srows), encoding="utf-8"
            )
            print(f"running summarizer on {len(srows)} articles ...", file=sys.stderr, flush=True)
            results["summarizer"] = _spawn("summarizer", args.summarizer, stexts, args.batch_size)
            results["summarizer"].pop("predictions")

    print(
        f"model: {args.model}  ({meta.task}, windows of {meta.max_length} tokens, "
        f"stride {meta.stride}, max {meta.max_windows} windows)"
    )
    if args.max_windows is not None:
        print(
            f"khabar variants read at most {args.max_windows} windows per article (--max-windows)"
        )
    print(f"data: {len(rows)} articles of the test split, labels {', '.join(meta.labels)}")
    print(f"threads: {next(iter(results.values()))['threads'] if results else '?'}")
    print()
    header = (
        f"{'variant':<16} {'dtype':<24} {'rows':>5} {'seconds':>8} {'rows/s':>8} "
        f"{'peak RSS MB':>12} {'accuracy':>9} {'macro-F1':>9}"
    )
    print(header)
    print("-" * len(header))
    for name, r in results.items():
        if name == "summarizer":
            continue
        print(
            f"{name:<16} {r['dtype']:<24} {r['rows']:>5} {r['seconds']:>8.2f} "
            f"{r['rows_per_s']:>8.1f} "
            f"{r['peak_rss_mb']:>12.0f} {r['accuracy']:>9.4f} {r['macro_f1']:>9.4f}"
        )
    print()
    p = results.get("pipeline")
    for name in ("khabar", "khabar-fp32", "khabar-int8", "khabar-compiled"):
        r = results.get(name)
        if r and p:
            print(
                f"{name} / pipeline throughput: {r['rows_per_s'] / p['rows_per_s']:.2f}x "
                f"(accuracy {r['accuracy'] - p['accuracy']:+.4f}, "
                f"macro-F1 {r['macro_f1'] - p['macro_f1']:+.4f})"
            )
    f = results.get("khabar-fp32")
    c = results.get("khabar-compiled")
    if c:
        print(
            f"khabar-compiled: one-off compilation and warm-up {c['warmup_seconds']:.0f} s "
            f"(on {COMPILE_WARMUP} articles, not in its rows/s)"
        )
    for name in ("khabar", "khabar-int8", "khabar-compiled"):
        r = results.get(name)
        if r and f and name != "khabar-fp32":
            same = sum(a == b for a, b in zip(f["predictions"], r["predictions"])) / len(gold)
            print(
                f"{name} ({r['dtype']}) vs float32: {r['rows_per_s'] / f['rows_per_s']:.2f}x "
                f"faster, accuracy {r['accuracy'] - f['accuracy']:+.4f}, macro-F1 "
                f"{r['macro_f1'] - f['macro_f1']:+.4f}, same label on {same:.1%} of articles"
            )
    s = results.get("summarizer")
    if s:
        print(
            f"summarizer ({args.summarizer}): {s['rows']} SaudiNewsNet test articles in "
            f"{s['seconds']:.1f} s = {s['rows_per_s']:.2f} articles/s, "
            f"peak RSS {s['peak_rss_mb']:.0f} MB "
            "(saved generation settings)"
        )
    for r in results.values():
        r.pop("predictions", None)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
