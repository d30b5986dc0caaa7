#!/usr/bin/env python
"""Choose how a classifier reads long texts on dev: score a grid of window settings, print it,
optionally save the best.

    python scripts/choose_reading.py outputs/topic-ant-e5 --data-dir ../shared/data \\
        [--split dev] [--max-windows 1 2 4 8 0] [--lead-weights 0 0.25 0.5 0.75] [--write]

The model reads every window of every text of ``--split`` once; each pair of ``max_windows``
(0 = all) and ``lead_weight`` is then scored from those logits (macro-F1, accuracy, windows read
per text). Nothing is written to the model directory unless ``--write``, which saves the best
pair (macro-F1; on a tie the fewer windows) into its ``khabar_config.json`` (atomically) and
refreshes the card. Then ``khabar evaluate MODEL --split test`` scores the test split with it;
``khabar evaluate MODEL --reading max_windows=8`` tries a setting without saving it. Choose on
dev, never on test.
"""

from __future__ import annotations

import argparse
import os
import sys


def main() -> int:
    from khabar.evaluation.reading import DEFAULT_LEAD_WEIGHTS, DEFAULT_MAX_WINDOWS

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a saved classifier directory")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--max-windows", type=int, nargs="+", default=list(DEFAULT_MAX_WINDOWS))
    parser.add_argument("--lead-weights", type=float, nargs="+", default=list(DEFAULT_LEAD_WEIGHTS))
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--dtype", default="auto", choices=("auto", "float32", "bfloat16"))
    parser.add_argument(
        "--data-dir", help="base directory for the model's data files ($KHABAR_DATA_DIR)"
    )
    parser.add_argument(
        "--write", action="store_true", help="save the best pair to khabar_config.json"
    )
    args = parser.parse_args()
    if args.write and args.split == "test":
        parser.error(
            "--write saves a reading chosen on the test split, which then no longer measures the "
            "model honestly: choose on dev (--split dev), then score test with khabar evaluate"
        )
    if args.data_dir:
        os.environ["KHABAR_DATA_DIR"] = args.data_dir

    from khabar.errors import KhabarError
    from khabar.evaluation.reading import best_reading, save_reading, score_readings
    from khabar.model_dir import ModelMeta

    try:
        current = ModelMeta.load(args.model).reading
        scores = score_readings(
            args.model,
            split=args.split,
            max_windows=args.max_windows,
            lead_weights=args.lead_weights,
            batch_size=args.batch_size,
            dtype=args.dtype,
        )
        for score in scores:
            saved = (score.max_windows, score.lead_weight) == (
                current.max_windows,
                current.lead_weight,
            )
            print(
                f"{score.describe()}  macro-F1 {score.macro_f1:.4f}  accuracy "
                f"{score.accuracy:.4f}  windows/text {score.windows_per_text:.2f}"
                + ("  (saved)" if saved else ""),
                flush=True,
            )
        best = best_reading(scores)
        print(f"best on {args.split}: {best.describe().strip()} ({best.macro_f1:.4f})")
        if args.write:
            save_reading(args.model, max_windows=best.max_windows, lead_weight=best.lead_weight)
            print(f"saved to {args.model}/khabar_config.json")
    except KhabarError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
