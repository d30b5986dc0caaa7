"""The text preprocessing a model was trained with, saved beside it and applied again at inference.

A :class:`TextPreprocessor` is stored as ``khabar_preprocessing.json`` in the model directory, so
that whoever loads the model feeds it text prepared exactly as during training. A site
boilerplate fitted on the training pages (:class:`~khabar.text.site.SiteBoilerplate`) is saved
beside it as ``khabar_site_boilerplate.json``, which the JSON file names.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from khabar._logging import get_logger
from khabar.errors import ConfigError
from khabar.io import write_json_atomic
from khabar.text.clean import clean_article
from khabar.text.normalize import ArabicNormalizer
from khabar.text.site import SITE_BOILERPLATE_FILE, SiteBoilerplate

__all__ = ["PREPROCESSING_FILE", "TextPreprocessor"]

PREPROCESSING_FILE = "khabar_preprocessing.json"

_LOG = get_logger(__name__)
_KEYS = ("clean", "normalizer", "site_boilerplate", "khabar_version")


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
        site_boilerplate: Site boilerplate learned from the training pages
            (:meth:`SiteBoilerplate.fit <khabar.text.site.SiteBoilerplate.fit>`), removed too
            when cleaning. Saved beside the model and applied again at inference.
    """

    normalizer: ArabicNormalizer | None = field(default_factory=ArabicNormalizer)
    clean: bool = False
    site_boilerplate: SiteBoilerplate | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.clean, bool):
            raise ConfigError(f"must be true or false, got {self.clean!r}", key="clean")
        if self.normalizer is not None and not isinstance(self.normalizer, ArabicNormalizer):
            raise ConfigError(
                f"must be an ArabicNormalizer or None, got {type(self.normalizer).__name__}",
                key="normalizer",
            )
        if self.site_boilerplate is not None and not isinstance(
            self.site_boilerplate, SiteBoilerplate
        ):
            raise ConfigError(
                f"must be a SiteBoilerplate or None, got {type(self.site_boilerplate).__name__}",
                key="site_boilerplate",
            )

    def __call__(self, text: str) -> str:
        """Prepare one text. Never raises for a ``str``."""
        if not isinstance(text, str):
            raise TypeError(f"TextPreprocessor expects a str, got {type(text).__name__}")
        if self.clean:
            site = self.site_boilerplate
            cleaned = clean_article(text, boilerplate=site if site is not None else ()).text
            text = cleaned if cleaned else text.strip()
        if self.normalizer is not None:
            text = self.normalizer(text)
        return text

    def to_dict(self) -> dict[str, Any]:
        """``{"clean": bool, "normalizer": {...} or None, "khabar_version": str}``.

        A fitted site boilerplate adds ``"site_boilerplate"`` (its own dict, inline).
        """
        data: dict[str, Any] = {
            "clean": self.clean,
            "normalizer": None if self.normalizer is None else self.normalizer.to_dict(),
            "khabar_version": _version(),
        }
        if self.site_boilerplate is not None:
            data["site_boilerplate"] = self.site_boilerplate.to_dict()
        return data

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, base_dir: str | Path | None = None
    ) -> TextPreprocessor:
        """Rebuild from :meth:`to_dict` output; missing keys take their defaults.

        ``site_boilerplate`` may be the fitted boilerplate's dict, or the path of its saved file
        (relative paths are read from ``base_dir``, or the working directory).

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
        if data.get("site_boilerplate") is not None:
            kwargs["site_boilerplate"] = _site_boilerplate(data["site_boilerplate"], base_dir)
        return cls(**kwargs)

    def save_pretrained(self, directory: str | Path) -> Path:
        """Write ``<directory>/khabar_preprocessing.json`` atomically and return its path.

        A fitted site boilerplate goes to ``khabar_site_boilerplate.json`` beside it.
        """
        directory = Path(directory)
        data = self.to_dict()
        if self.site_boilerplate is not None:
            self.site_boilerplate.save_pretrained(directory)
            data["site_boilerplate"] = SITE_BOILERPLATE_FILE
        return write_json_atomic(directory / PREPROCESSING_FILE, data)

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> TextPreprocessor:
        """Load the preprocessing saved in ``directory`` (or given the JSON file itself).

        A directory without the file (e.g. a model trained elsewhere) gives a preprocessor that
        changes nothing, and a logged warning. Files saved before site boilerplate existed
        load as they were.

        Raises:
            ConfigError: if the file exists but is not valid JSON or holds invalid settings
                (or names a site boilerplate file that is missing or invalid).
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
            return cls.from_dict(data, base_dir=path.parent)
        except ConfigError as exc:
            if exc.file is not None:
                raise
            error = ConfigError(str(exc), file=path)
            error.key = exc.key
            raise error from exc

    def describe(self) -> list[str]:
        """Human-readable sentences of what each enabled step does (for model cards)."""
        lines: list[str] = []
        if self.clean:
            lines.append(
                "Scraped pages reduced to the main article (site menus and headers, dates, "
                "source and keyword lines, 'read also' blocks holding other articles, related "
                "and most-read headlines, share, newsletter, login, cookie and comment prompts, "
                "copyright lines, photo captions and repeated boilerplate removed)"
            )
        if self.clean and self.site_boilerplate is not None:
            fitted = self.site_boilerplate.fitted_on
            pages = f" on {fitted['pages']} pages" if "pages" in fitted else ""
            lines.append(
                f"Site boilerplate learned{pages} removed too "
                f"({len(self.site_boilerplate)} recurring word runs)"
            )
        if self.normalizer is None:
            lines.append("No text normalisation")
        else:
            lines.extend(self.normalizer.describe())
        return lines


def _site_boilerplate(value: object, base_dir: str | Path | None) -> SiteBoilerplate:
    """A fitted site boilerplate from its dict or from the path of its saved file."""
    if isinstance(value, SiteBoilerplate):
        return value
    if isinstance(value, Mapping):
        try:
            return SiteBoilerplate.from_dict(value)
        except ConfigError as exc:
            raise ConfigError(exc.message, key=f"site_boilerplate.{exc.key}") from exc
    if isinstance(value, (str, Path)):
        path = Path(value)
        if not path.is_absolute() and base_dir is not None:
            path = Path(base_dir) / path
        if not path.exists():
            raise ConfigError(
                f"site boilerplate file {str(path)!r} not found", key="site_boilerplate"
            )
        return SiteBoilerplate.from_pretrained(path)
    raise ConfigError(
        f"must be a fitted site boilerplate (its dict or file path), got {value!r}",
        key="site_boilerplate",
    )
