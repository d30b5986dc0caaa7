"""The text preprocessing a model was trained with, saved beside it and applied again at inference.

A :class:`TextPreprocessor` is stored as ``khabar_preprocessing.json`` in the model directory, so
that whoever loads the model feeds it text prepared exactly as during training.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar._logging import get_logger
from khabar.errors import ConfigError
from khabar.text.clean import clean_article
from khabar.text.normalize import ArabicNormalizer

__all__ = ["PREPROCESSING_FILE", "TextPreprocessor"]

PREPROCESSING_FILE = "khabar_preprocessing.json"

_LOG = get_logger(__name__)
_KEYS = ("clean", "normalizer", "khabar_version")


def _version() -> str:
    from khabar._version import __version__

    return __version__


@dataclass(frozen=True)
class TextPreprocessor:
    """What the model saw at training, saved beside the model and applied again at inference.

    Attributes:
        normalizer: The :class:`ArabicNormalizer` to apply, or ``None`` for no normalisation.
        clean: Run :func:`~khabar.text.clean_article` first (scraped page → main article). If
            cleaning leaves nothing (e.g. a lone headline that looks like page furniture), the
            text is kept as given.
    """

    normalizer: ArabicNormalizer | None = field(default_factory=ArabicNormalizer)
    clean: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.clean, bool):
            raise ConfigError(f"must be true or false, got {self.clean!r}", key="clean")
        if self.normalizer is not None and not isinstance(self.normalizer, ArabicNormalizer):
            raise ConfigError(
                f"must be an ArabicNormalizer or None, got {type(self.normalizer).__name__}",
                key="normalizer",
            )

    def __call__(self, text: str) -> str:
        """Prepare one text. Never raises for a ``str``."""
        if not isinstance(text, str):
            raise TypeError(f"TextPreprocessor expects a str, got {type(text).__name__}")
        if self.clean:
            cleaned = clean_article(text).text
            text = cleaned if cleaned else text.strip()
        if self.normalizer is not None:
            text = self.normalizer(text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """``{"clean": bool, "normalizer": {...} or None, "khabar_version": str}``."""
        return {
            "clean": self.clean,
            "normalizer": None if self.normalizer is None else self.normalizer.to_dict(),
            "khabar_version": _version(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TextPreprocessor:
        """Rebuild from :meth:`to_dict` output; missing keys take their defaults.

        Raises:
            ConfigError: for an unknown key (naming the closest valid one) or an invalid value.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(
                f"preprocessing settings must be a mapping, got {type(data).__name__}"
            )
        for key in data:
            if key not in _KEYS:
                close = difflib.get_close_matches(str(key), _KEYS, n=1, cutoff=0.5)
                hint = f" Did you mean '{close[0]}'?" if close else ""
                raise ConfigError(
                    f"unknown preprocessing setting.{hint} Valid settings: {', '.join(_KEYS)}",
                    key=str(key),
                )
        saved_version = data.get("khabar_version")
        if saved_version is not None and saved_version != _version():
            _LOG.debug(
                "preprocessing saved by khabar %s, loading with %s", saved_version, _version()
            )
        kwargs: dict[str, Any] = {}
        if "clean" in data:
            kwargs["clean"] = data["clean"]
        if "normalizer" in data:
            settings = data["normalizer"]
            if settings is not None and not isinstance(settings, Mapping):
                raise ConfigError(
                    f"must be a mapping of normaliser settings or null, got {settings!r}",
                    key="normalizer",
                )
            kwargs["normalizer"] = (
                None if settings is None else ArabicNormalizer.from_dict(settings)
            )
        return cls(**kwargs)

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``<directory>/khabar_preprocessing.json`` atomically and return its path."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / PREPROCESSING_FILE
        payload = json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        handle, temp_name = tempfile.mkstemp(
            dir=directory, prefix=f".{PREPROCESSING_FILE}.", suffix=".tmp"
        )
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(payload)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        return target

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> TextPreprocessor:
        """Load the preprocessing saved in ``directory`` (or given the JSON file itself).

        A directory without the file (e.g. a model trained elsewhere) gives a preprocessor that
        changes nothing, and a logged warning.

        Raises:
            ConfigError: if the file exists but is not valid JSON or holds invalid settings.
        """
        path = Path(directory)
        if path.is_dir() or path.name != PREPROCESSING_FILE:
            path = path / PREPROCESSING_FILE
        if not path.is_file():
            _LOG.warning(
                "%s not found; using no preprocessing (text is fed to the model unchanged)",
                path,
            )
            return cls(normalizer=None, clean=False)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"cannot read preprocessing settings: {exc}", file=path) from exc
        try:
            return cls.from_dict(data)
        except ConfigError as exc:
            error = ConfigError(str(exc), file=path)
            error.key = exc.key
            raise error from exc

    def describe(self) -> list[str]:
        """Human-readable sentences of what each enabled step does (for model cards)."""
        lines: list[str] = []
        if self.clean:
            lines.append(
                "Scraped pages reduced to the main article (source and keyword lines, "
                "'read also' blocks, related headlines, share prompts, photo captions and "
                "repeated boilerplate removed)"
            )
        if self.normalizer is None:
            lines.append("No text normalisation")
        else:
            lines.extend(self.normalizer.describe())
        return lines
