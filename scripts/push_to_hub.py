#!/usr/bin/env python
"""Publish a khabar model directory to the Hugging Face Hub (same as ``khabar publish``).

    python scripts/push_to_hub.py MODEL_DIR --repo-id ORG/NAME [--private] [--dry-run --output DIR]

The token comes from ``HF_TOKEN`` or ``hf auth login``; see ``khabar publish --help``.
"""

from __future__ import annotations

import sys

from khabar.cli import main

if __name__ == "__main__":
    sys.exit(main(["publish", *sys.argv[1:]]))
