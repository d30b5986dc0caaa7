#!/usr/bin/env python
"""Score a model directory on splits or files: ``python scripts/evaluate_model.py MODEL_DIR --split test``.

Same as ``khabar evaluate``.
"""

import sys

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["evaluate", *sys.argv[1:]]))
