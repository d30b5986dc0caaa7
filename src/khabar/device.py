"""Where models run: the device (CUDA, MPS or CPU) and the weights dtype it computes fast."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from khabar.errors import OptionError

if TYPE_CHECKING:
    import torch

__all__ = [
    "Precision",
    "autocast_to",
    "fast_bf16_autocast",
    "native_bf16",
    "resolve_device",
    "resolve_dtype",
    "resolve_precision",
]


def resolve_device(device: str | int | torch.device | None = "auto") -> torch.device:
    """``"auto"``/``None``: CUDA if available, then Apple MPS, then CPU; otherwise as given.

    Raises:
        OptionError: (a ``ValueError``) for a device that does not exist on this machine.
    """
    import torch

    if device is None or device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if isinstance(device, int):
        device = torch.device("cpu") if device < 0 else torch.device("cuda", device)
    try:
        resolved = torch.device(device)
    except RuntimeError:
        raise OptionError(
            f"--device: unknown device {device!r} (use auto, cpu, cuda, cuda:N or mps)"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise OptionError(
            f"--device: {device!r} asked for, but CUDA is not available here; use --device cpu "
            "(or auto)"
        )
    if resolved.type == "cuda" and (resolved.index or 0) >= torch.cuda.device_count():
        raise OptionError(
            f"--device: {device!r} asked for, but this machine has {torch.cuda.device_count()} "
            "CUDA device(s)"
        )
    if resolved.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise OptionError(
                f"--device: {device!r} asked for, but MPS is not available here; use --device cpu"
            )
    return resolved


_DTYPES = {
    "float32": "float32",
    "fp32": "float32",
    "bfloat16": "bfloat16",
    "bf16": "bfloat16",
    "float16": "float16",
    "fp16": "float16",
}


def native_bf16(device: torch.device) -> bool:
    """Whether ``device`` computes bfloat16 matrix products natively (CPU: AMX tiles)."""
    import torch

    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type == "cpu":
        return _cpu_probe("_is_amx_tile_supported")
    return False


def _cpu_probe(name: str) -> bool:
    """One of torch's private CPU feature probes (``torch.cpu._is_*``); False if it is missing."""
    import torch

    probe = getattr(torch.cpu, name, None)
    try:
        return bool(probe()) if probe is not None else False
    except Exception:  # a private probe: never let it break loading or training
        return False


def fast_bf16_autocast(device: torch.device) -> bool:
    """Whether bf16 autocast speeds ``device`` up: CUDA with bf16, CPUs with AVX512-BF16 or AMX.

    On a CPU without them (AVX2 only, e.g. AMD Zen 3), oneDNN emulates bfloat16 and a bf16
    matrix product runs hundreds of times slower than the float32 one (measured here on a
    2-core AMD EPYC: 0.3 vs 167 GFLOPS for 2048x2048), so ``training.bf16: auto`` trains in
    float32 there.
    """
    if native_bf16(device):
        return True
    return device.type == "cpu" and _cpu_probe("_is_avx512_bf16_supported")


@dataclass(frozen=True)
class Precision:
    """How a model runs at inference: its weights dtype, and the autocast dtype (or none)."""

    weights: torch.dtype
    autocast: torch.dtype | None = None


def autocast_to(dtype: torch.dtype | None, device: torch.device) -> AbstractContextManager[Any]:
    """``torch.autocast`` to ``dtype`` on ``device``; with ``dtype`` None, a context that does
    nothing."""
    import torch

    if dtype is None:
        return nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def resolve_precision(dtype: torch.dtype | str | None, device: torch.device) -> Precision:
    """Weights dtype and autocast for ``dtype`` (see :meth:`Predictor.from_pretrained`).

    ``"auto"``/``None``: bfloat16 weights where ``device`` computes bfloat16 natively (CUDA,
    CPUs with AMX); float32 weights under bf16 autocast on CPUs with AVX512-BF16 but no AMX
    (matrix products in bfloat16, layer norms and softmax in float32: what training there
    does); else float32. A named dtype is used as it is, without autocast.

    Raises:
        OptionError: (a ``ValueError``) an unknown dtype name.
    """
    import torch

    if dtype is None or dtype == "auto":
        if native_bf16(device):
            return Precision(torch.bfloat16)
        return Precision(torch.float32, torch.bfloat16 if fast_bf16_autocast(device) else None)
    if isinstance(dtype, torch.dtype):
        return Precision(dtype)
    name = _DTYPES.get(str(dtype).lower().removeprefix("torch."))
    if name is None:
        raise OptionError(
            f"--dtype: unknown dtype {dtype!r} (use auto, float32, bfloat16 or float16)"
        )
    return Precision(getattr(torch, name))


def resolve_dtype(dtype: torch.dtype | str | None, device: torch.device) -> torch.dtype:
    """The weights dtype of :func:`resolve_precision`.

    Raises:
        OptionError: (a ``ValueError``) an unknown dtype name.
    """
    return resolve_precision(dtype, device).weights
