#!/usr/bin/env python
"""Fine-tune a model from a YAML config: ``python scripts/train.py configs/topic/ant_offline.yaml``.

Same as ``khabar train``; runs under ``accelerate launch`` for several GPUs or processes.
"""

import sys
from pathlib import Path

# Running a file in scripts/ puts scripts/ first on sys.path, where evaluate.py would shadow the
# `evaluate` package that khabar's metrics import: take it off the path.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
