"""Render a card from its template (``model_cards/``) and write it into the model directory."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from khabar._logging import get_logger
from khabar.errors import ModelDirError
from khabar.io import write_text_atomic
from khabar.model_dir import (
    CARD_FILE,
    META_FILE,
    ModelMeta,
)
from khabar.tasks import get_task

if TYPE_CHECKING:
    pass

from khabar.card.gather import TEMPLATE_PACKAGE_DIR, ModelCardInfo
from khabar.card.metadata import build_card_data
from khabar.card.sections import template_context
from khabar.card.validate import CardError, validate_card

logger = get_logger(__name__)


# ------------------------------------------------------------------------------ templates


def template_names() -> list[str]:
    """Templates shipped with khabar (``model_cards/`` in the repository)."""
    from importlib.resources import files

    folder = files("khabar").joinpath(TEMPLATE_PACKAGE_DIR)
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".md"))


def _load_template(name: str) -> str:
    from importlib.resources import files

    resource = files("khabar").joinpath(TEMPLATE_PACKAGE_DIR).joinpath(name)
    if not resource.is_file():
        raise ModelDirError(
            f"model card template '{name}' is missing from the khabar package "
            f"(khabar/{TEMPLATE_PACKAGE_DIR}/); reinstall khabar"
        )
    return resource.read_text(encoding="utf-8")


def _render_template(name: str, context: Mapping[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=False,  # Markdown, not HTML
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    text = env.get_template(name).render(**context)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.rstrip() + "\n"


# ------------------------------------------------------------------------------ public API


def render_model_card(
    model_dir: str | Path, *, repo_id: str | None = None, default_name: str | None = None
) -> str:
    """The model card (``README.md`` text) of a model directory.

    ``repo_id`` names the Hub repository in the usage examples (default: ``hub.repo_id`` of the
    run configuration, else a placeholder path). ``default_name`` is the model's name when the
    run configuration gives none (default: the directory's name).
    """
    info = ModelCardInfo.from_model_dir(model_dir, repo_id=repo_id, default_name=default_name)
    card_data = build_card_data(info)
    template = info.spec.card_template
    return _render_template(template, template_context(info, card_data))


def _fallback_card(root: Path, error: BaseException, name: str | None = None) -> str:
    meta = ModelMeta.load(root)
    tag = get_task(meta.task).pipeline_tag
    return (
        f"---\nlanguage: ar\nlibrary_name: transformers\npipeline_tag: {tag}\n"
        "tags:\n- khabar\n---\n\n"
        f"# {name or root.resolve().name}\n\n"
        f"The model card could not be rendered ({type(error).__name__}: {error}). "
        "Render it again with `khabar publish MODEL_DIR --dry-run` once the cause is fixed.\n"
    )


def write_model_card(
    model_dir: str | Path, *, repo_id: str | None = None, default_name: str | None = None
) -> Path:
    """Render the card and write it as ``README.md`` in the model directory.

    ``default_name``: the model's name when the run configuration gives none (default: the
    directory's name; training passes the final output directory's, not its staging one's).

    Validation problems are logged, not raised, and a card that cannot be rendered at all is
    replaced by a short placeholder: a training run is never lost to its card. ``khabar
    publish`` re-renders the card and refuses one that fails validation.
    """
    root = Path(model_dir)
    if not (root / META_FILE).is_file():
        raise ModelDirError(f"{root}: no {META_FILE}; not a khabar model directory")
    try:
        text = render_model_card(root, repo_id=repo_id, default_name=default_name)
    except Exception as err:  # never lose a trained model to its card
        logger.error("could not render the model card of %s: %s", root, err)
        return write_text_atomic(root / CARD_FILE, _fallback_card(root, err, default_name))
    try:
        for warning in validate_card(text, model_dir=root):
            logger.info("model card: %s", warning)
    except CardError as err:
        logger.warning("%s", err)
    return write_text_atomic(root / CARD_FILE, text)
