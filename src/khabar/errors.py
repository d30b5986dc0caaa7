"""Exceptions raised at khabar's edges: each names the file, line or field and, where it can, the fix."""

from __future__ import annotations

from pathlib import Path


class KhabarError(Exception):
    """Base class for every error khabar raises on purpose."""


class ConfigError(KhabarError, ValueError):
    """A run configuration (YAML file or dict) is invalid."""

    def __init__(self, message: str, *, file: str | Path | None = None, key: str | None = None):
        self.file = str(file) if file is not None else None
        self.key = key
        self.message = message
        where = []
        if self.file:
            where.append(self.file)
        if key:
            where.append(f"key '{key}'")
        prefix = ": ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class DataError(KhabarError, ValueError):
    """A data file or record is unusable; names the file, line and field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ):
        self.file = str(file) if file is not None else None
        self.line = line
        self.field = field
        where = ""
        if self.file:
            where = self.file
            if line is not None:
                where += f":{line}"
        if field:
            where = f"{where} field '{field}'" if where else f"field '{field}'"
        super().__init__(f"{where}: {message}" if where else message)


class ModelDirError(KhabarError, ValueError):
    """A model directory is missing, incomplete, unsafe, or would be overwritten."""


class OptionError(KhabarError, ValueError):
    """A command-line option or API argument has a value that cannot work; names the option."""
