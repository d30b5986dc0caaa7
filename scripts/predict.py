#!/usr/bin/env python
"""Predict over a JSONL(.gz) corpus: ``python scripts/predict.py --model DIR --input IN --output OUT``.

Same as ``khabar predict``; also the script to give ``accelerate launch`` to split a corpus
across GPUs, or across CPU processes on a machine without GPUs::

    accelerate launch --multi_gpu --num_processes 2 scripts/predict.py --model DIR --input IN --output OUT
"""

import sys
from pathlib import Path

# scripts/evaluate.py would otherwise shadow the `evaluate` package imported by khabar
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from khabar.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["predict", *sys.argv[1:]]))
