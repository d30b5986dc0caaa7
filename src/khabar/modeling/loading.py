"""The one way khabar loads a model directory: safetensors only, never remote code.

Every code path that reads weights or a tokenizer from disk or the Hub cache (training from a
local checkpoint, evaluation, inference) goes through :func:`load_model` and
:func:`load_tokenizer`:

- weights load from ``.safetensors`` only (``use_safetensors=True``): a directory holding only
  pickle weights is refused with the way to convert it;
- remote code never runs (``trust_remote_code=False``): a directory whose ``config.json`` asks for
  custom code is refused instead of prompting;
- a Hub id is fetched through the local cache, JSON, text, tokenizer and safetensors files only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from safetensors import SafetensorError

from khabar._logging import get_logger
from khabar.errors import ConfigError, ModelDirError
from khabar.model_dir import META_FILE, TOKENIZER_VOCAB_FILES, check_model_dir

logger = get_logger(__name__)

__all__ = [
    "HUB_ALLOW_PATTERNS",
    "apply_config_overrides",
    "load_model",
    "load_tokenizer",
    "resolve_model_dir",
    "save_tokenizer",
]

HUB_ALLOW_PATTERNS = (
    "*.json",
    "*.safetensors",
    "*.txt",
    "*.model",
    "*.yaml",
    "*.md",
    "*.tiktoken",
)
"""What is fetched from a Hub repository: never pickles, never Python files."""


def apply_config_overrides(config: Any, overrides: Mapping[str, Any]) -> None:
    """Set ``model.config_overrides`` on a checkpoint's ``PretrainedConfig``, in place.

    Raises:
        ConfigError: a key the config does not have (a typo would otherwise be stored silently
            and change nothing), naming the key and the model type.
    """
    for key, value in overrides.items():
        if not hasattr(config, key):
            raise ConfigError(
                f"the checkpoint's config ({getattr(config, 'model_type', '?')}) has no '{key}'",
                key=f"model.config_overrides.{key}",
            )
        setattr(config, key, value)


def resolve_model_dir(path_or_id: str | Path, *, revision: str | None = None) -> Path:
    """A checked local model directory for a path or a Hub id (through the local cache).

    Raises:
        ModelDirError: the directory is missing, incomplete or holds only pickle weights, or the
            Hub id cannot be fetched (offline and not cached).
    """
    path = Path(path_or_id).expanduser()
    if path.exists():
        root = check_model_dir(path)
    else:
        text = str(path_or_id)
        looks_like_id = text.count("/") == 1 and not text.startswith((".", "/", "~"))
        if not looks_like_id:
            raise ModelDirError(f"model directory '{path}' does not exist")
        try:
            from huggingface_hub import snapshot_download

            local = snapshot_download(
                repo_id=text, revision=revision, allow_patterns=list(HUB_ALLOW_PATTERNS)
            )
        except Exception as err:  # offline, unknown repo, network: all the same to the caller
            raise ModelDirError(
                f"'{text}' is not a local directory, and fetching it from the Hugging Face Hub "
                f"failed ({type(err).__name__}: {err}). Offline? Pass a local model directory, "
                "or download it once where the Hub can be reached."
            ) from None
        root = check_model_dir(local)
    if not (root / META_FILE).is_file():
        raise ModelDirError(
            f"'{root}' has no {META_FILE}: not a khabar model directory (train one with "
            "`khabar train`, or use plain transformers for other models)"
        )
    return root


def load_model(
    auto_class: Any,
    root: str | Path,
    *,
    dtype: Any = None,
    report_new: bool = False,
    **kwargs: Any,
) -> Any:
    """``auto_class.from_pretrained`` with safetensors only, no remote code, SDPA if supported.

    ``dtype`` None keeps the stored dtype (transformers 5's default); training passes float32.
    ``report_new`` logs one line naming the parameters the checkpoint did not hold (a new head,
    pooler or cross-attention), instead of transformers' load report.

    Raises:
        ModelDirError: the directory (or Hub id) cannot be loaded, e.g. it asks for remote code.
    """
    kwargs = {**kwargs, "use_safetensors": True, "trust_remote_code": False}  # never overridden
    if dtype is not None:
        kwargs["dtype"] = dtype
    if report_new:
        kwargs["output_loading_info"] = True
    with _quiet_loading(report_new):
        try:
            try:
                loaded = auto_class.from_pretrained(root, attn_implementation="sdpa", **kwargs)
            except (ValueError, ImportError) as err:
                if "sdpa" not in str(err).lower() and "attention" not in str(err).lower():
                    raise
                logger.debug("SDPA not supported by this architecture (%s); default attention", err)
                loaded = auto_class.from_pretrained(root, **kwargs)
        except (OSError, ValueError) as err:
            raise ModelDirError(f"cannot load the model in '{root}': {err}") from err
        except SafetensorError as err:
            raise ModelDirError(
                f"the weights in '{root}' are truncated or corrupt ({err}); copy them again"
            ) from None
    if not report_new:
        return loaded
    model, info = loaded
    _log_new_parameters(root, info)
    return model


def _log_new_parameters(root: str | Path, info: dict[str, Any]) -> None:
    missing = sorted(info.get("missing_keys") or [])
    mismatched = sorted(
        str(m[0] if isinstance(m, tuple) else m) for m in info.get("mismatched_keys") or []
    )
    new = missing + [m for m in mismatched if m not in missing]
    if new:
        logger.info(
            "loaded %s; newly initialised (trained from scratch in this run): %s",
            root,
            ", ".join(_group(new)),
        )
    else:
        logger.info("loaded %s; every parameter comes from the checkpoint", root)
    unused = info.get("unexpected_keys") or []
    if unused:
        logger.info("not used from the checkpoint: %s", ", ".join(_group(sorted(unused))))


def _group(names: list[str]) -> list[str]:
    """``bert.pooler.dense.weight`` and ``.bias`` → ``bert.pooler.dense.{weight,bias}``, and
    per-layer names folded (``layer.{0..11}``), so that the line stays readable."""
    import re

    folded: dict[str, list[str]] = {}
    for name in names:
        key = re.sub(r"\.(\d+)\.", ".N.", name)
        folded.setdefault(key, []).append(name)
    out = []
    for key, members in folded.items():
        out.append(key if len(members) == 1 else f"{key} (x{len(members)})")
    return out


@contextmanager
def _quiet_loading(quiet_report: bool = False) -> Iterator[None]:
    """No per-tensor "Loading weights" progress bar; with ``quiet_report`` no load-report table
    either (khabar logs its own line)."""
    from transformers.utils import logging as hf_logging

    enabled = hf_logging.is_progress_bar_enabled()
    verbosity = hf_logging.get_verbosity()
    if enabled:
        hf_logging.disable_progress_bar()
    if quiet_report:
        hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()
        if quiet_report:
            hf_logging.set_verbosity(verbosity)


LOAD_TIME_TOKENIZER_KWARGS = ("local_files_only", "is_local")
"""How a tokenizer was loaded (offline, from a folder), which ``transformers`` records among its
init arguments; true of this machine, not of the model, so they are not saved with it."""


def save_tokenizer(tokenizer: Any, directory: str | Path) -> None:
    """``tokenizer.save_pretrained(directory)`` without the load-time arguments
    (:data:`LOAD_TIME_TOKENIZER_KWARGS`), so ``tokenizer_config.json`` holds the tokenizer alone."""
    for key in LOAD_TIME_TOKENIZER_KWARGS:
        tokenizer.init_kwargs.pop(key, None)
    tokenizer.save_pretrained(directory)


def load_tokenizer(root: str | Path, **kwargs: Any) -> Any:
    """The tokenizer saved in ``root`` (no remote code).

    Raises:
        ModelDirError: a local directory lacks its tokenizer files (an incomplete copy), or
            they cannot be loaded.
    """
    from transformers import AutoTokenizer

    local = Path(root)
    if local.is_dir():
        if not any((local / name).is_file() for name in TOKENIZER_VOCAB_FILES):
            raise ModelDirError(
                f"'{local}' has no tokenizer vocabulary (one of "
                f"{', '.join(TOKENIZER_VOCAB_FILES)}); the directory is incomplete: copy it again"
            )
        if not (local / "tokenizer_config.json").is_file():
            raise ModelDirError(
                f"'{local}' has no tokenizer_config.json (the tokenizer's special tokens and "
                "settings); the directory is incomplete: copy it again"
            )
    try:
        return AutoTokenizer.from_pretrained(root, **kwargs, trust_remote_code=False)
    except (OSError, ValueError) as err:
        raise ModelDirError(f"cannot load the tokenizer in '{root}': {err}") from err
