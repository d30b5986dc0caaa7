#!/usr/bin/env python
"""Choose a summariser's decoding settings on dev: score a small grid, print it, optionally save the best.

    python scripts/choose_decoding.py outputs/headline-saudinewsnet-e5-bert2bert --data-dir ../shared/data \\
        [--split dev] [--max-samples 300] [--metric rougeL] [--write]

Each setting decodes the same ``--max-samples`` articles of ``--split`` (a seeded sample, as
``khabar evaluate`` takes it) and is scored with khabar's ROUGE; no baseline, nothing is written
to the model directory unless ``--write``, which saves the best setting (by ``--metric``) into
its ``generation_config.json`` (atomically). Run ``khabar evaluate MODEL --split test`` after
``--write`` to score the test split with it. Choose on dev, never on test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

GRID: list[dict[str, Any]] = [
    {"num_beams": 1},
    {"num_beams": 4, "length_penalty": 0.8},
    {"num_beams": 4, "length_penalty": 1.0},
    {"num_beams": 4, "length_penalty": 1.2},
    {"num_beams": 4, "length_penalty": 1.0, "no_repeat_ngram_size": 0},
]
"""Greedy, beam 4 with three length penalties, and beam 4 without the repeated-trigram block."""


def label(setting: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in setting.items())


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a saved summariser directory")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--max-samples", type=int, default=300)
    parser.add_argument(
        "--metric", default="rougeL", choices=["rouge1", "rouge2", "rougeL", "rougeLsum"]
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--data-dir", help="base directory for the model's data files ($KHABAR_DATA_DIR)"
    )
    parser.add_argument(
        "--write", action="store_true", help="save the best setting to generation_config.json"
    )
    args = parser.parse_args()
    if args.data_dir:
        os.environ["KHABAR_DATA_DIR"] = args.data_dir

    from khabar.errors import KhabarError
    from khabar.evaluation import evaluate_model_dir
    from khabar.io import write_text_atomic
    from khabar.modeling.loading import load_model, load_tokenizer
    from khabar.reading.seq2seq import with_decoding

    rows: list[tuple[dict[str, Any], dict[str, float]]] = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i, setting in enumerate(GRID):
                report = evaluate_model_dir(
                    args.model,
                    splits=[args.split],
                    output=Path(tmp) / f"{i}.json",
                    batch_size=args.batch_size,
                    baseline=False,
                    max_samples=args.max_samples,
                    generation=setting,
                )
                scores = report["splits"][args.split]["model"]
                rows.append((setting, scores))
                print(
                    f"{label(setting):58} R1 {100 * scores['rouge1']:5.2f}  R2 {100 * scores['rouge2']:5.2f}  "
                    f"RL {100 * scores['rougeL']:5.2f}  words {scores['mean_words']:.1f}",
                    flush=True,
                )
        best, scores = max(rows, key=lambda row: row[1][args.metric])
        print(
            f"best on {args.split} by {args.metric}: {label(best)} ({100 * scores[args.metric]:.2f})"
        )
        if args.write:
            from transformers import AutoModelForSeq2SeqLM

            model = load_model(AutoModelForSeq2SeqLM, args.model)
            gen = with_decoding(model, load_tokenizer(args.model), best)
            gen.validate()
            write_text_atomic(Path(args.model) / "generation_config.json", gen.to_json_string())
            print(f"saved to {Path(args.model) / 'generation_config.json'}")
    except KhabarError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
