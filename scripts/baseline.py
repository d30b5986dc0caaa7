#!/usr/bin/env python
"""TF-IDF + logistic regression (classification) or lead-k (summarisation) baseline for a config.

``python scripts/baseline.py configs/topic/ant_offline.yaml --data-dir ../shared/data``; the same
baseline is printed beside the model in every evaluation report.
"""

import sys

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["baseline", *sys.argv[1:]]))
