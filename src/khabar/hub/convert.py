"""Convert a model directory's pickle weights to safetensors, safely (tensors only, no code)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from khabar._logging import get_logger
from khabar.errors import ModelDirError
from khabar.model_dir import find_pickle_weights

logger = get_logger(__name__)


def _load_pickle_state(paths: Sequence[Path]) -> dict[str, Any]:
    import torch

    state: dict[str, Any] = {}
    for path in paths:
        try:
            loaded = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as err:
            raise ModelDirError(
                f"cannot read '{path}' safely (weights-only loading): {err}. khabar does not "
                "unpickle arbitrary objects."
            ) from None
        if (
            isinstance(loaded, dict)
            and "state_dict" in loaded
            and isinstance(loaded["state_dict"], dict)
        ):
            loaded = loaded["state_dict"]
        if not isinstance(loaded, dict):
            raise ModelDirError(f"'{path}' does not hold a state dict of tensors")
        state.update(loaded)
    return state


def convert_to_safetensors(model_dir: str | Path, *, delete_pickles: bool = False) -> list[Path]:
    """Convert a model directory's pickle weights (``.bin``/``.pt``) to safetensors, in place.

    Pickles are read with ``torch.load(weights_only=True)`` (tensors only, no code), the model is
    rebuilt with its ``transformers`` class from ``config.json`` and saved with
    ``save_pretrained(safe_serialization=True)`` (so tied weights are stored once, as
    ``transformers`` expects); only the new weight files are moved into the directory. Every
    tensor is then compared with the pickled one. The pickle files are kept (``publish`` skips
    them) unless ``delete_pickles``.

    Returns the new safetensors files.
    """
    import torch

    root = Path(model_dir)
    if not root.is_dir():
        raise ModelDirError(f"model directory '{root}' does not exist")
    if any(root.glob("*.safetensors")):
        logger.info("%s already has safetensors weights; nothing to convert", root)
        return sorted(root.glob("*.safetensors"))
    pickles = find_pickle_weights(root)
    if not pickles:
        raise ModelDirError(f"'{root}' has no pickle weights (.bin/.pt) to convert")
    state = _load_pickle_state(pickles)
    new_files = _convert_with_transformers(root)
    if new_files is None:
        new_files = _convert_state_dict(root, state)
    from safetensors.torch import load_file

    saved: dict[str, Any] = {}
    for file in new_files:
        saved.update(load_file(file))
    for name, tensor in saved.items():
        original = state.get(name)
        if original is None:
            continue
        if original.dtype != tensor.dtype or not torch.equal(original, tensor):
            for file in new_files:
                file.unlink(missing_ok=True)
            raise ModelDirError(
                f"conversion check failed: tensor '{name}' differs after conversion"
            )
    missing = [k for k in state if k not in saved and torch.is_tensor(state[k])]
    untied = [
        k
        for k in missing
        if not any(torch.equal(state[k], v) for v in saved.values() if v.shape == state[k].shape)
    ]
    if untied:
        for file in new_files:
            file.unlink(missing_ok=True)
        raise ModelDirError(
            f"conversion check failed: tensors missing after conversion: {untied[:5]}"
        )
    logger.info(
        "converted %s to %s (%d tensors checked)",
        ", ".join(p.name for p in pickles),
        ", ".join(p.name for p in new_files),
        len(saved),
    )
    if delete_pickles:
        for path in pickles:
            path.unlink()
            index = root / (path.name + ".index.json")
            index.unlink(missing_ok=True)
        (root / "pytorch_model.bin.index.json").unlink(missing_ok=True)
    else:
        logger.info("kept %s (not uploaded by publish)", ", ".join(p.name for p in pickles))
    return new_files


def _convert_with_transformers(root: Path) -> list[Path] | None:
    """Rebuild the model with its ``transformers`` class and save safetensors (None: no class)."""
    import json

    import transformers

    try:
        config = json.loads((root / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    archs = config.get("architectures") or []
    cls = getattr(transformers, archs[0], None) if archs else None
    if cls is None:
        return None
    model = cls.from_pretrained(root, use_safetensors=False, trust_remote_code=False)
    with tempfile.TemporaryDirectory(prefix=".convert-", dir=root) as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        produced = sorted(Path(tmp).glob("*.safetensors"))
        index = Path(tmp) / "model.safetensors.index.json"
        moved = []
        for path in [*produced, *([index] if index.is_file() else [])]:
            target = root / path.name
            os.replace(path, target)
            if target.suffix == ".safetensors":
                moved.append(target)
    return moved


def _convert_state_dict(root: Path, state: dict[str, Any]) -> list[Path]:
    """Save a state dict as ``model.safetensors``; tensors sharing memory are stored separately."""
    from safetensors.torch import save_file

    seen: set[int] = set()
    clean: dict[str, Any] = {}
    for name, tensor in state.items():
        ptr = tensor.untyped_storage().data_ptr()
        clean[name] = tensor.detach().clone().contiguous() if ptr in seen else tensor.contiguous()
        seen.add(ptr)
    target = root / "model.safetensors"
    save_file(clean, str(target), metadata={"format": "pt"})
    return [target]


__all__ = ["convert_to_safetensors"]
