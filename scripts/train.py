#!/usr/bin/env python
"""Fine-tune a model from a YAML config: ``python scripts/train.py configs/topic/ant_offline.yaml``.

Same as ``khabar train``; runs under ``accelerate launch`` for several GPUs or processes.
"""

import sys

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["train", *sys.argv[1:]]))
