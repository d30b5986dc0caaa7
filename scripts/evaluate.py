#!/usr/bin/env python
"""Score a model directory on splits or files: ``python scripts/evaluate.py MODEL_DIR --split test``.

Same as ``khabar evaluate``.
"""

import sys
from pathlib import Path

# Running a file in scripts/ puts scripts/ first on sys.path, where evaluate.py would shadow the
# `evaluate` package that khabar's metrics import: take it off the path.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["evaluate", *sys.argv[1:]]))
