"""What every khabar predictor shares: loading a model directory safely, the device, and input
preparation (decoding, length cap, the model's saved preprocessing, flags).

Loading rules, for every predictor:

- ``path_or_id`` is a local model directory, or a Hub repository id fetched through the local
  cache (``HF_HUB_OFFLINE=1`` works with anything cached; only JSON, text, tokenizer and
  ``.safetensors`` files are ever downloaded);
- weights load from ``.safetensors`` only (``use_safetensors=True``): a directory holding only
  pickle weights (``pytorch_model.bin``) is refused with the way to convert it;
- remote code never runs (``trust_remote_code=False``);
- SDPA attention is used where the architecture supports it;
- the text preprocessing saved with the model (``khabar_preprocessing.json``) is applied to every
  input, so callers pass raw text.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict, TypeVar

from typing_extensions import Unpack

from khabar._logging import get_logger
from khabar.device import resolve_device, resolve_dtype, resolve_precision
from khabar.errors import ModelDirError, OptionError
from khabar.model_dir import ModelMeta, ReadingSettings, ReadsSettings
from khabar.modeling.loading import load_model, load_tokenizer, resolve_model_dir
from khabar.tasks import get_task
from khabar.text import TextPreprocessor, clean_article
from khabar.text.chars import has_arabic_letter

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

logger = get_logger(__name__)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "Predictor",
    "PreparedText",
    "TextInput",
    "resolve_device",
    "resolve_dtype",
    "resolve_model_dir",
]

TextInput = str | bytes | bytearray | memoryview | None
"""One input text: a ``str``, UTF-8 ``bytes`` (or ``bytearray``/``memoryview``; decoded with
replacement if invalid) or ``None`` (treated as empty)."""

DEFAULT_MAX_CHARS = 100_000
"""Characters of one input that are read at most (see the ``oversized`` flag)."""


P = TypeVar("P", bound="Predictor")


def _cut(text: str, limit: int) -> str:
    """The first ``limit`` characters of ``text``, cut at the last space before the limit."""
    head = text[:limit]
    space = head.rfind(" ", limit // 2)
    return head[:space] if space > 0 else head


@dataclass(frozen=True)
class PreparedText:
    """One input after decoding, the length cap, cleaning and the model's preprocessing."""

    text: str
    flags: tuple[str, ...]

    @property
    def usable(self) -> bool:
        """False for inputs the model is not run on (``empty``, ``no_target``)."""
        return "empty" not in self.flags and "no_target" not in self.flags


def is_missing(value: object) -> bool:
    """``None``, or a missing value as pandas and numpy write it (``NaN``, ``pd.NA``, ``NaT``):
    such an input is read as empty, the way ``None`` is."""
    if value is None:
        return True
    if isinstance(value, float):
        return value != value  # NaN
    return type(value).__name__ in ("NAType", "NaTType")


def as_list(
    texts: TextInput | Iterable[TextInput], *, name: str = "texts"
) -> tuple[list[TextInput], bool]:
    """``(list of inputs, whether a single input was given)``.

    A ``str``, ``bytes``, ``None`` (or a pandas/numpy missing value) is one input; a list, tuple,
    generator, 1-D numpy array or pandas ``Series`` is many. ``name`` is the argument named in
    errors (``texts``, ``target``).

    Raises:
        TypeError: a mapping (a JSON row: its keys would be classified), a table (a
            ``DataFrame`` or 2-D array: its column names would be), or anything else that is
            not a text or an iterable of texts.
    """
    ndim = getattr(texts, "ndim", None)
    if ndim == 0 and hasattr(texts, "item"):  # a 0-d numpy array holds one value
        texts = texts.item()  # type: ignore[union-attr]
    elif isinstance(ndim, int) and ndim > 1:
        raise TypeError(
            f"{name}: got a {ndim}-dimensional {type(texts).__name__}; pass one column "
            "(df['text']) or a list of texts"
        )
    if isinstance(texts, bytearray | memoryview):
        texts = bytes(texts)
    if is_missing(texts) or isinstance(texts, str | bytes):
        return [None if is_missing(texts) else texts], True  # type: ignore[list-item]
    if isinstance(texts, Mapping):
        raise TypeError(
            f"{name}: got a {type(texts).__name__}, not a text: pass the text itself "
            "(row['text']) or a list of texts"
        )
    if not isinstance(texts, Iterable):
        raise TypeError(
            f"{name}: got a {type(texts).__name__}; pass a text (str, UTF-8 bytes or None) or a "
            "list of texts"
        )
    return list(texts), False


def decode_text(raw: object, index: int, *, name: str = "input") -> tuple[str, tuple[str, ...]]:
    """``(text, flags)`` of one raw input: ``str`` as is, ``bytes`` decoded (a UTF-16 byte-order
    mark says UTF-16, else UTF-8; undecodable bytes are replaced and flagged ``invalid_utf8``),
    ``None`` and missing values as ``""``.

    Raises:
        TypeError: anything else, naming ``name`` and ``index`` (``input 3``, ``target 0``).
    """
    if is_missing(raw):
        return "", ()
    if isinstance(raw, bytes | bytearray | memoryview):
        data = bytes(raw)
        # a byte-order mark says which encoding: UTF-16 is what Windows editors save as
        # "Unicode"; without one, UTF-8
        encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        try:
            return data.decode(encoding), ()
        except UnicodeDecodeError:
            return data.decode("utf-8", errors="replace"), ("invalid_utf8",)
    if isinstance(raw, str):
        return raw, ()
    raise TypeError(f"{name} {index} is a {type(raw).__name__}; pass str (or UTF-8 bytes, or None)")


def has_visible_text(text: str) -> bool:
    """Whether ``text`` holds anything but white space and invisible characters (zero-width
    joiners, byte-order marks, NUL and other control characters)."""
    import unicodedata

    return any(not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf") for ch in text)


def check_top_k(top_k: int | None) -> None:
    """``top_k`` is None (every label) or a positive integer.

    Raises:
        OptionError: (a ``ValueError``) naming ``top_k`` / ``--top-k``.
    """
    import numbers

    if top_k is None:
        return
    if isinstance(top_k, bool) or not isinstance(top_k, numbers.Integral) or top_k < 1:
        raise OptionError(f"top_k (--top-k) must be a positive integer or None, got {top_k!r}")


class ReadingOverrides(TypedDict, total=False):
    """Reading settings a caller may override at inference (None keeps the model's)."""

    max_length: int | None
    stride: int | None
    max_windows: int | None
    lead_weight: float | None
    truncation: str | None


def check_reading_overrides(overrides: Mapping[str, Any], caller: str) -> None:
    """Refuse keyword arguments that are no reading setting (a typo such as ``max_lenght``)
    before a model loads, naming the closest setting.

    Raises:
        TypeError: as Python does for an unexpected keyword argument.
    """
    import difflib

    known = list(ReadingOverrides.__annotations__)
    for key in overrides:
        if key not in known:
            close = difflib.get_close_matches(key, [*known, *_LOAD_OPTIONS], n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise TypeError(f"{caller} got an unexpected keyword argument '{key}'{hint}")


_LOAD_OPTIONS = ("device", "batch_size", "max_chars", "quantize", "dtype", "revision", "compile")
"""The other keyword arguments of :meth:`Predictor.from_pretrained` (for the typo hint)."""


class Predictor(ReadsSettings):
    """Base of every khabar predictor: model, tokenizer, metadata, preprocessing, device.

    Subclasses set :attr:`tasks` (the ``khabar_config.json`` tasks they accept) and
    :meth:`_auto_model_class`; loading is :meth:`from_pretrained` for all of them.
    """

    tasks: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self,
        model: PreTrainedModel,
        tokenizer: PreTrainedTokenizerBase,
        *,
        meta: ModelMeta,
        preprocessor: TextPreprocessor | None = None,
        device: str | int | torch.device | None = "auto",
        batch_size: int = 32,
        max_chars: int = DEFAULT_MAX_CHARS,
        model_dir: Path | None = None,
        compile: bool = False,
        autocast: torch.dtype | None = None,
        **reading: Unpack[ReadingOverrides],
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        if max_chars < 100:
            raise ValueError(f"max_chars must be at least 100, got {max_chars}")
        self.meta = meta
        self.preprocessor = preprocessor or TextPreprocessor(normalizer=None)
        self.tokenizer = tokenizer
        self.device = resolve_device(device)
        moved = model.to(self.device) if _movable(model) else model  # type: ignore[arg-type]
        moved.eval()
        self.model: Any = compile_model(moved) if compile else moved
        self.batch_size = batch_size
        self.autocast = autocast
        """Classifiers run the model under ``torch.autocast`` to this dtype (None: not at all)."""
        check_reading_overrides(reading, f"{type(self).__name__}()")
        self.reading: ReadingSettings = meta.reading.replace(**reading)
        self.max_chars = max_chars
        self.model_dir = model_dir
        self._check_lengths()

    # ------------------------------------------------------------------ loading
    @classmethod
    def _auto_model_class(cls) -> Any:
        raise NotImplementedError

    @classmethod
    def from_pretrained(
        cls: type[P],
        path_or_id: str | Path,
        *,
        device: str | int | torch.device | None = "auto",
        batch_size: int = 32,
        max_chars: int = DEFAULT_MAX_CHARS,
        quantize: bool = False,
        dtype: torch.dtype | str | None = "auto",
        revision: str | None = None,
        compile: bool = False,
        **reading: Unpack[ReadingOverrides],
    ) -> P:
        """Load a khabar model directory (or a Hub id) for inference.

        Args:
            path_or_id: Model directory, or a Hub repository id (through the local cache).
            device: ``"auto"`` (CUDA, then MPS, then CPU), or ``"cpu"``, ``"cuda:1"``, ...
            batch_size: Sequences (windows) per forward pass.
            max_length: Tokens per window (default: what the model was trained with).
            stride: Overlap of consecutive windows in tokens (default: the model's).
            max_windows: Windows read per text at most, spread over it (0 = all; default: the
                model's).
            lead_weight: Share of the first window in a text's aggregate (default: the
                model's; 0 = the plain mean of the windows).
            truncation: Summarisers: how an article longer than ``max_length`` is cut
                (``head`` or ``head_tail``; default: the model's).
            max_chars: Characters of one input read at most (see the ``oversized`` flag).
            quantize: Dynamic int8 quantisation of the linear layers (CPU only): faster, with a
                small accuracy change (measured by ``scripts/benchmark.py``).
            dtype: ``"auto"`` (default): bfloat16 weights where the hardware computes it
                natively (CPUs with AMX, CUDA GPUs with bf16); on CPUs with AVX512-BF16 but no
                AMX, float32 weights under bf16 autocast for classifiers (matrix products in
                bfloat16, as training there runs); else float32. Or ``"float32"``,
                ``"bfloat16"``, ``"float16"``, a ``torch.dtype``: those weights, no autocast.
                ``khabar evaluate --dtype`` takes the same values and gives the same numbers.
                ``quantize=True`` implies float32 weights.
            revision: Hub revision, for Hub ids.
            compile: ``torch.compile`` the model (dynamic shapes). Small models spend most of
                their time in element-wise operations that it fuses: ~1.6x the throughput of the
                offline topic model on 2 CPU cores, after a one-off compilation of ~15 s on the
                first batches (worth it from a few thousand articles). Not with ``quantize``.

        Raises:
            ModelDirError: not a usable khabar model directory, or a model of another task.
            TypeError: an unknown keyword argument (checked before anything loads), or a base
                class with no ``predict`` (``SequenceClassifier``): the message names the class to use.
        """
        check_reading_overrides(reading, f"{cls.__name__}.from_pretrained()")
        root = resolve_model_dir(path_or_id, revision=revision)
        meta = ModelMeta.load(root)
        if not hasattr(cls, "predict"):
            # Predictor and SequenceClassifier are shared machinery, exported for typing only
            raise TypeError(
                f"{cls.__name__} is the shared base of khabar's predictors and cannot predict; "
                f"'{root}' holds a {meta.task} model: load it with "
                f"{get_task(meta.task).predictor}.from_pretrained()"
            )
        if cls.tasks and meta.task not in cls.tasks:
            hint = get_task(meta.task).predictor
            raise ModelDirError(
                f"'{root}' holds a {meta.task} model; {cls.__name__} needs "
                f"{' or '.join(cls.tasks)}. Load it with {hint}."
            )
        resolved = resolve_device(device)
        if quantize and compile:
            raise ValueError("compile=True and quantize=True cannot be combined; choose one")
        if quantize and resolved.type != "cpu":
            raise ValueError("quantize=True is dynamic int8 quantisation for CPU; use device='cpu'")
        precision = resolve_precision("float32" if quantize else dtype, resolved)
        model = load_model(cls._auto_model_class(), root, dtype=precision.weights)
        if quantize:
            model = quantize_dynamic_int8(model)
        tokenizer = load_tokenizer(root)
        preprocessor = TextPreprocessor.from_pretrained(root)
        return cls(
            model,
            tokenizer,
            meta=meta,
            preprocessor=preprocessor,
            device=resolved,
            batch_size=batch_size,
            max_chars=max_chars,
            model_dir=root,
            compile=compile,
            autocast=precision.autocast,
            **reading,
        )

    def _check_lengths(self) -> None:
        """Validate the reading settings once (every override included) against the model."""
        limit = getattr(self.model.config, "max_position_embeddings", None)
        self.reading.validate(
            windowed=not get_task(self.meta.task).is_seq2seq,
            positions=limit if isinstance(limit, int) else None,
            prefix="",
        )

    # ------------------------------------------------------------------ inputs
    def prepare(self, texts: Sequence[TextInput], *, clean: bool = False) -> list[PreparedText]:
        """Decode, cap, clean (``clean=True``: a scraped page → its main article) and apply the
        model's saved preprocessing; flag what was unusual (see :mod:`khabar.inference.results`).

        Raises:
            TypeError: an input is neither ``str``, ``bytes`` nor ``None`` (naming its index).
        """
        return [self._prepare_one(i, t, clean) for i, t in enumerate(texts)]

    def _prepare_one(self, index: int, raw: TextInput, clean: bool) -> PreparedText:
        text, decoded = decode_text(raw, index)
        flags = list(decoded)
        if len(text) > self.max_chars:
            text = _cut(text, self.max_chars)
            flags += ["oversized", "truncated_input"]
        if not has_visible_text(text):
            return PreparedText("", (*flags, "empty"))
        if clean and not self.preprocessor.clean:  # a model trained on cleaned pages cleans anyway
            text = clean_article(text).text or text.strip()
        # judged before the preprocessing, whose placeholders for links, e-mails and mentions
        # are Arabic words
        arabic = has_arabic_letter(text)
        text = self.preprocessor(text)
        if not has_visible_text(text):
            return PreparedText("", (*flags, "empty"))
        if not arabic:
            flags.append("no_arabic")
        return PreparedText(text, tuple(flags))


def _movable(model: Any) -> bool:
    return hasattr(model, "to")


def compile_model(model: Any) -> Any:
    """``torch.compile`` with dynamic shapes (batches differ in size and length), so that one
    compilation serves every batch; attribute access (``config``, ``generate``) still reaches
    the wrapped model."""
    import torch

    return torch.compile(model, dynamic=True)


def quantize_dynamic_int8(model: Any) -> Any:
    """Dynamic int8 quantisation of every ``nn.Linear`` (weights int8, activations quantised on
    the fly): for CPU inference."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from torch.ao.quantization import quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
