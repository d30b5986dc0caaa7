"""The ``khabar`` logger. Library code logs through it and never prints."""

from __future__ import annotations

import logging
import sys
from typing import Any

LOGGER_NAME = "khabar"


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record comes (not the one at setup): the CLI
    run in-process again, under a test's captured stderr, never writes to a closed stream."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def get_logger(name: str | None = None) -> logging.Logger:
    """Return the package logger, or a child of it (``khabar.<name>``)."""
    if name is None or name == LOGGER_NAME:
        return logging.getLogger(LOGGER_NAME)
    if name.startswith(LOGGER_NAME + "."):
        return logging.getLogger(name)
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def enable_console_logging(level: int = logging.INFO) -> None:
    """Send khabar's log records to stderr (used by the CLI and scripts)."""
    logger = logging.getLogger(LOGGER_NAME)
    if not any(getattr(h, "_khabar", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
        )
        handler._khabar = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(level)
