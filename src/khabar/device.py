"""Where models run: the device (CUDA, MPS or CPU) and the weights dtype it computes fast."""

from __future__ import annotations

from typing import TYPE_CHECKING

from khabar.errors import OptionError

if TYPE_CHECKING:
    import torch

__all__ = ["native_bf16", "resolve_device", "resolve_dtype"]


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
        probe = getattr(torch.cpu, "_is_amx_tile_supported", None)
        try:
            return bool(probe()) if probe is not None else False
        except Exception:  # a private probe: never let it break loading
            return False
    return False


def resolve_dtype(dtype: torch.dtype | str | None, device: torch.device) -> torch.dtype:
    """The weights dtype for ``dtype`` (see :meth:`Predictor.from_pretrained`) on ``device``.

    Raises:
        ValueError: an unknown dtype name.
    """
    import torch

    if dtype is None or dtype == "auto":
        return torch.bfloat16 if native_bf16(device) else torch.float32
    if isinstance(dtype, torch.dtype):
        return dtype
    name = _DTYPES.get(str(dtype).lower().removeprefix("torch."))
    if name is None:
        raise OptionError(
            f"--dtype: unknown dtype {dtype!r} (use auto, float32, bfloat16 or float16)"
        )
    return getattr(torch, name)  # type: ignore[no-any-return]
