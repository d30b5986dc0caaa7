"""The output directory of a training run: what it holds, when it may be used or replaced,
and the checkpoints of an interrupted run (``--resume`` / ``--overwrite``)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from khabar._logging import get_logger
from khabar.errors import ModelDirError
from khabar.io import clean_stale_stages
from khabar.model_dir import (
    CARD_FILE,
    CHECKPOINTS_DIR,
    META_FILE,
    MODEL_FILES,
    RUN_FILES,
    TOKENIZER_EXTRA_FILES,
    TOKENIZER_VOCAB_FILES,
)

logger = get_logger(__name__)


_CHECKPOINT_ENTRY = re.compile(r"(tmp-)?checkpoint-\d+|tokenizer(-new)?|runs")
"""What ``checkpoints/`` holds in a khabar run: the Trainer's checkpoints, logs, the tokenizer a
from-scratch run trained."""


def khabar_wrote(name: str) -> bool:
    """Whether a top-level entry of an output directory is one khabar (or ``save_pretrained``)
    writes there."""
    return (
        name in (CHECKPOINTS_DIR, CARD_FILE, *RUN_FILES, *MODEL_FILES)
        or name in (*TOKENIZER_VOCAB_FILES, *TOKENIZER_EXTRA_FILES)
        or name.startswith(("khabar_", "tokenizer", "special_tokens_map", "added_tokens"))
        or name.endswith((".safetensors", ".safetensors.index.json", ".png"))
    )


def output_dir_kind(output_dir: Path) -> tuple[str, list[str]]:
    """What an output directory holds, and the entries khabar did not write.

    ``missing``, ``empty``, ``model`` (a finished khabar model: ``khabar_config.json`` and only
    khabar's files), ``run`` (an interrupted run: only ``checkpoints/``, holding only the
    Trainer's checkpoints and khabar's tokenizer) or ``foreign`` (anything else).
    """
    if not output_dir.exists():
        return "missing", []
    entries = sorted(os.listdir(output_dir))
    if not entries:
        return "empty", []
    foreign = [n for n in entries if not khabar_wrote(n)]
    ckpt = output_dir / CHECKPOINTS_DIR
    if ckpt.is_symlink() or (ckpt.exists() and not ckpt.is_dir()):
        foreign.append(CHECKPOINTS_DIR)
    elif ckpt.is_dir():
        foreign += [
            f"{CHECKPOINTS_DIR}/{n}"
            for n in sorted(os.listdir(ckpt))
            if not _CHECKPOINT_ENTRY.fullmatch(n)
        ]
    if foreign:
        return "foreign", foreign
    if (output_dir / META_FILE).is_file():
        return "model", []
    # an interrupted run: only its checkpoints (the model is written in one move, at the end)
    return ("run", []) if entries == [CHECKPOINTS_DIR] else ("foreign", entries)


def prepare_output_dir(output_dir: Path, *, resume: bool, overwrite: bool) -> None:
    """The one output-directory rule of ``khabar train``; checks only, deletes nothing.

    - missing or empty: used;
    - a finished khabar model: refused unless ``overwrite`` (it is replaced only once the new
      model is completely written);
    - checkpoints of an interrupted run: continued with ``resume``, started again with
      ``overwrite``, refused otherwise;
    - anything else (a directory khabar did not write): refused, ``overwrite`` or not.

    The checkpoints of an earlier run are discarded by :func:`discard_earlier_checkpoints`, just
    before training starts: a run that fails on its config, data or model leaves them usable.
    """
    clean_stale_stages(output_dir, keep=(CHECKPOINTS_DIR,))
    if output_dir.is_symlink() and not output_dir.exists():
        raise ModelDirError(f"output path '{output_dir}' is a broken symbolic link")
    if output_dir.exists() and not output_dir.is_dir():
        raise ModelDirError(f"output path '{output_dir}' exists and is not a directory")
    kind, foreign = output_dir_kind(output_dir)
    if kind == "foreign":
        shown = ", ".join(foreign[:5]) + (", ..." if len(foreign) > 5 else "")
        raise ModelDirError(
            f"output directory '{output_dir}' holds files khabar did not write ({shown}); khabar "
            "never deletes or replaces such a directory: set output.dir / --output-dir to a new "
            "or empty directory"
        )
    _check_writable_dir(output_dir)
    has_checkpoints = (output_dir / CHECKPOINTS_DIR).is_dir()
    if kind in ("missing", "empty") or overwrite or (resume and has_checkpoints):
        return
    if kind == "run" and nothing_to_resume(output_dir):
        logger.info(
            "%s holds no checkpoint of the earlier run (it stopped before its first save): "
            "starting afresh",
            output_dir,
        )
        return
    if kind == "model":
        raise ModelDirError(
            f"output directory '{output_dir}' already holds a trained model; pass --overwrite to "
            "replace it (it is replaced only when the new model is fully written), or set another "
            "output.dir / --output-dir"
        )
    raise ModelDirError(
        f"output directory '{output_dir}' holds checkpoints of an earlier run; pass --resume to "
        "continue it, or --overwrite to start again"
    )


def _check_writable_dir(output_dir: Path) -> None:
    import tempfile

    where = output_dir
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        with tempfile.TemporaryFile(dir=where):
            pass
    except OSError as err:
        raise ModelDirError(
            f"output directory '{output_dir}': cannot write in '{where}' "
            f"({err.strerror or err}); set output.dir / --output-dir to a writable location"
        ) from None


def discard_earlier_checkpoints(output_dir: Path, *, resume: bool, overwrite: bool) -> None:
    """``--overwrite`` without ``--resume``: remove the checkpoints (and the tokenizer) of the
    earlier run, so that they are not picked up. Called once the config, the data and the model
    have been checked, just before training; the finished model, if any, stays until the new one
    replaces it."""
    ckpt = output_dir / CHECKPOINTS_DIR
    if resume or not overwrite or not ckpt.is_dir() or int(os.environ.get("RANK", "0")) != 0:
        return
    if output_dir_kind(output_dir)[0] not in ("model", "run"):  # checked again: never a stranger's
        raise ModelDirError(f"'{output_dir}' no longer looks like a khabar output; not deleting")
    logger.info("--overwrite: removing the checkpoints of the earlier run in %s", output_dir)
    shutil.rmtree(ckpt)


def tokenizer_cache(output_dir: Path) -> Path:
    """Where a from-scratch run keeps the tokenizer it trained, for ``--resume``."""
    return output_dir / CHECKPOINTS_DIR / "tokenizer"


def nothing_to_resume(output_dir: Path) -> bool:
    """An interrupted run that stopped before its first checkpoint: ``checkpoints/`` holds at
    most the tokenizer khabar trained, which a fresh run trains again."""
    return (output_dir / CHECKPOINTS_DIR).is_dir() and last_checkpoint(output_dir) is None


def last_checkpoint(output_dir: Path) -> Path | None:
    """The newest ``checkpoint-N`` of a run, or None."""
    from transformers.trainer_utils import get_last_checkpoint

    ckpt_dir = output_dir / CHECKPOINTS_DIR
    if not ckpt_dir.is_dir():
        return None
    last = get_last_checkpoint(str(ckpt_dir))
    return Path(last) if last else None


__all__ = [
    "discard_earlier_checkpoints",
    "khabar_wrote",
    "last_checkpoint",
    "nothing_to_resume",
    "output_dir_kind",
    "prepare_output_dir",
    "tokenizer_cache",
]
