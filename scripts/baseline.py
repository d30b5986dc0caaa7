#!/usr/bin/env python
"""TF-IDF + logistic regression (classification) or lead-k (summarisation) baseline for a config.

``python scripts/baseline.py configs/topic/ant_offline.yaml --data-dir ../shared/data``; the same
baseline is printed beside the model in every evaluation report.
"""

import sys
from pathlib import Path

# Running a file in scripts/ puts scripts/ first on sys.path, where evaluate.py would shadow the
# `evaluate` package that khabar's metrics import: take it off the path.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["baseline", *sys.argv[1:]]))
