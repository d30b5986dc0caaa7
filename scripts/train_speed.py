#!/usr/bin/env python
"""Training throughput of a checkpoint on this machine: tokens/s per setting, and the ratio to the first.

    python scripts/train_speed.py --models-dir ../shared/models [--checkpoint multilingual-e5-small-ar] \\
        [--lengths 128 256] [--batch-size 32] [--steps 4] [--settings NAME ...]

One full training step (forward, backward, AdamW update) of ``AutoModelForSequenceClassification``
on random token ids, batch ``--batch-size``, every sequence of the given length, a quarter of the
batch padded to half of it. Settings, each on a freshly loaded model (``--settings`` picks and
orders them; the first is the reference of the ratio):

- ``fp32``: float32, the checkpoint's dropout;
- ``fp32+no-attn-dropout``: ``model.config_overrides: {attention_probs_dropout_prob: 0.0}``;
  PyTorch's fused attention kernel then runs in training instead of the eager softmax + dropout;
- ``bf16``: bf16 autocast, float32 master weights (``training.bf16``);
- ``bf16+no-attn-dropout``: both;
- ``bf16+no-attn-dropout+frozen-emb``: also ``model.freeze_embeddings``;
- ``bf16+no-attn-dropout+frozen-emb+6-layers``: also ``model.freeze_layers: 6`` (the lower half
  of a 12-layer encoder runs forward only);
- ``bf16+no-attn-dropout+frozen-emb+6-layers+compile``: also ``torch.compile(dynamic=True)``
  (``training.torch_compile``), timed after two compiling warm-up steps;
- ``bf16+no-dropout``: no hidden dropout either (for reference; khabar's configs keep it).

The bf16 settings are skipped (and the script says so) on a CPU without AVX512-BF16 or AMX,
where bfloat16 is emulated and a step takes many minutes; ``training.bf16: auto`` trains in float32
there. The best of ``--steps`` timed steps (after one warm-up step) is reported. Nothing is asserted:
timings depend on the machine; run it alone (another process on the cores skews it).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Any

SETTINGS: dict[str, dict[str, Any]] = {
    "fp32": {"bf16": False, "overrides": {}},
    "fp32+no-attn-dropout": {"bf16": False, "overrides": {"attention_probs_dropout_prob": 0.0}},
    "bf16": {"bf16": True, "overrides": {}},
    "bf16+no-attn-dropout": {"bf16": True, "overrides": {"attention_probs_dropout_prob": 0.0}},
    "bf16+no-attn-dropout+frozen-emb": {
        "bf16": True,
        "overrides": {"attention_probs_dropout_prob": 0.0},
        "freeze_embeddings": True,
    },
    "bf16+no-attn-dropout+frozen-emb+6-layers": {
        "bf16": True,
        "overrides": {"attention_probs_dropout_prob": 0.0},
        "freeze_embeddings": True,
        "freeze_layers": 6,
    },
    "bf16+no-attn-dropout+frozen-emb+6-layers+compile": {
        "bf16": True,
        "overrides": {"attention_probs_dropout_prob": 0.0},
        "freeze_embeddings": True,
        "freeze_layers": 6,
        "compile": True,
    },
    "bf16+no-dropout": {
        "bf16": True,
        "overrides": {"attention_probs_dropout_prob": 0.0, "hidden_dropout_prob": 0.0},
    },
}


def step_seconds(
    where: Path, setting: dict[str, Any], length: int, batch: int, steps: int
) -> float:
    """Best wall time of one training step under ``setting``."""
    import torch
    from transformers import AutoModelForSequenceClassification

    from khabar.config import ModelConfig
    from khabar.modeling.factory import freeze

    torch.manual_seed(0)
    net = AutoModelForSequenceClassification.from_pretrained(
        where, num_labels=4, dtype=torch.float32, **setting["overrides"]
    )
    # khabar's own freezing, so that the figure is what a config with these settings trains at
    freeze(
        net,
        ModelConfig(
            freeze_embeddings=bool(setting.get("freeze_embeddings")),
            freeze_layers=int(setting.get("freeze_layers", 0)),
        ),
    )
    vocab = net.config.vocab_size
    ids = torch.randint(5, vocab, (batch, length))
    mask = torch.ones_like(ids)
    mask[: batch // 4, length // 2 :] = 0
    labels = torch.randint(0, 4, (batch,))
    model: Any = torch.compile(net, dynamic=True) if setting.get("compile") else net
    optimizer = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=1e-5)
    net.train()
    times = []
    warmup = 2 if setting.get("compile") else 1  # the first compiled steps compile
    for _ in range(steps + warmup):
        start = time.perf_counter()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=setting["bf16"]):
            loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        times.append(time.perf_counter() - start)
    return min(times[warmup:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--models-dir",
        default=os.environ.get("KHABAR_MODELS_DIR"),
        help="models directory ($KHABAR_MODELS_DIR)",
    )
    parser.add_argument("--checkpoint", default="multilingual-e5-small-ar")
    parser.add_argument("--lengths", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument(
        "--settings",
        nargs="+",
        choices=list(SETTINGS),
        default=list(SETTINGS),
        help="settings to time, in this order; the first is the reference (default: all)",
    )
    args = parser.parse_args()
    if not args.models_dir:
        parser.error("name the models directory: --models-dir DIR or KHABAR_MODELS_DIR")
    where = Path(args.models_dir) / args.checkpoint
    if not (where / "config.json").is_file():
        parser.error(f"no checkpoint at {where} (config.json missing)")

    import torch
    from transformers.utils import logging as hf_logging

    from khabar.device import fast_bf16_autocast

    hf_logging.set_verbosity_error()
    settings = {name: SETTINGS[name] for name in args.settings}
    if not fast_bf16_autocast(torch.device("cpu")):
        print("this CPU has neither AVX512-BF16 nor AMX: bf16 is emulated, its settings skipped")
        settings = {k: v for k, v in settings.items() if not v["bf16"]}
    print(
        f"{args.checkpoint}: batch {args.batch_size}, {torch.get_num_threads()} threads, torch {torch.__version__}"
    )
    print(f"{'setting':42} {'length':>6} {'s/step':>7} {'tokens/s':>9} {'vs first':>8}")
    for length in args.lengths:
        reference = None
        for name, setting in settings.items():
            seconds = step_seconds(where, setting, length, args.batch_size, args.steps)
            rate = args.batch_size * length / seconds
            reference = reference or rate
            print(
                f"{name:42} {length:6d} {seconds:7.2f} {rate:9.0f} {rate / reference:7.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
