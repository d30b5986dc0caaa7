"""The khabar version (one place; ``khabar.__version__`` re-exports it)."""

__version__ = "0.1.0"
