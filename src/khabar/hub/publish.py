"""Publish a khabar model directory to the Hugging Face Hub, with a card that tells the truth.

``khabar publish MODEL_DIR --repo-id ORG/NAME`` stages exactly the files that should be public
(weights in safetensors, ``config.json``, tokenizer, khabar's own settings and results, plots and
a freshly rendered ``README.md`` card), checks them, creates the repository and uploads the stage
in **one** commit. ``--dry-run`` stops after staging and lists the folder.

Refused, each with the fix in the message:

- pickle weights (``.bin``/``.pt``) without safetensors: convert first (``khabar convert-weights``
  or ``publish --convert-weights``);
- no tokenizer; not a khabar model directory;
- a card that fails :func:`khabar.card.validate_card`;
- no evaluation results, unless ``--allow-no-eval`` (the card then says so plainly);
- any staged file that contains the token.

The token comes from ``HF_TOKEN`` or the ``huggingface_hub`` login (``huggingface_hub.get_token``);
it is never written to the model directory, the stage, the card or the logs, and errors from the
HTTP layer are re-raised with it scrubbed out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from khabar._logging import get_logger
from khabar._version import __version__
from khabar.errors import KhabarError, ModelDirError
from khabar.hub.convert import convert_to_safetensors
from khabar.model_dir import (
    CARD_FILE,
    CHECKPOINTS_DIR,
    EVAL_RESULTS_FILE,
    META_FILE,
    MODEL_FILES,
    RUN_FILES,
    TOKENIZER_EXTRA_FILES,
    TOKENIZER_VOCAB_FILES,
    find_pickle_weights,
)

if TYPE_CHECKING:
    from khabar.card import ModelCardInfo

logger = get_logger(__name__)

__all__ = [
    "PublishError",
    "PublishResult",
    "StagedFile",
    "check_publishable",
    "publish",
    "stage_model_dir",
]

MASK = "***"


class PublishError(KhabarError):
    """Publishing failed or was refused (the message never contains the token)."""


@dataclass
class StagedFile:
    """One file of the staged upload."""

    name: str
    size: int


@dataclass
class PublishResult:
    """What :func:`publish` did."""

    repo_id: str | None
    stage_dir: Path | None
    """The staged folder (dry runs; a real run stages in a temporary folder and removes it)."""
    files: list[StagedFile] = field(default_factory=list)
    dry_run: bool = True
    url: str | None = None
    """The repository's URL (real runs)."""
    commit_url: str | None = None
    commit_message: str = ""
    private: bool = False

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    def format(self) -> str:
        """A plain-text listing of the stage (and the URL after an upload)."""
        lines = []
        if self.dry_run:
            lines.append(f"dry run: {len(self.files)} files staged in {self.stage_dir}")
        else:
            lines.append(f"uploaded {len(self.files)} files to {self.url} in one commit")
        for f in self.files:
            lines.append(f"  {_human_size(f.size):>10}  {f.name}")
        lines.append(f"  {_human_size(self.total_bytes):>10}  total")
        lines.append(f"commit message: {self.commit_message}")
        if self.commit_url:
            lines.append(f"commit: {self.commit_url}")
        return "\n".join(lines)


def _human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


# ------------------------------------------------------------------------------ selection


def _is_uploaded(name: str) -> bool:
    """Whether a top-level file of a model directory belongs in the Hub repository."""
    if name.startswith("."):
        return False
    return (
        name.endswith(".safetensors")
        or name in MODEL_FILES
        or name in TOKENIZER_VOCAB_FILES
        or name in TOKENIZER_EXTRA_FILES
        or name in RUN_FILES
        or (name.startswith("khabar_") and name.endswith(".json"))
        or name.endswith(".png")
    )


def _has_tokenizer(root: Path) -> bool:
    return (root / "tokenizer_config.json").is_file() and any(
        (root / name).is_file() for name in TOKENIZER_VOCAB_FILES
    )


def check_publishable(model_dir: str | Path, *, allow_no_eval: bool = False) -> ModelCardInfo:
    """Refuse a model directory that should not be published; return its card information."""
    from khabar.card import ModelCardInfo

    root = Path(model_dir)
    if not root.is_dir():
        raise ModelDirError(f"model directory '{root}' does not exist")
    if not (root / META_FILE).is_file():
        raise ModelDirError(
            f"'{root}' has no {META_FILE}: not a khabar model directory (train it with "
            "`khabar train`, which writes everything a card needs)"
        )
    if not (root / "config.json").is_file():
        raise ModelDirError(f"'{root}' has no config.json: not a transformers model directory")
    if not any(root.glob("*.safetensors")):
        pickles = find_pickle_weights(root)
        if pickles:
            names = ", ".join(p.name for p in pickles)
            raise ModelDirError(
                f"'{root}' holds pickle weights ({names}) and no .safetensors: pickle files can "
                "run code when loaded, so khabar does not publish them. Convert them with "
                f"`khabar convert-weights {root}` (or pass --convert-weights), then publish again."
            )
        raise ModelDirError(f"'{root}' has no model weights (*.safetensors)")
    if not _has_tokenizer(root):
        raise ModelDirError(
            f"'{root}' has no tokenizer (tokenizer_config.json with tokenizer.json, vocab.txt, "
            "vocab.json or a sentencepiece model): nobody could use the model. Save the tokenizer "
            "with `tokenizer.save_pretrained(MODEL_DIR)`."
        )
    info = ModelCardInfo.from_model_dir(root)
    if info.problems:
        raise ModelDirError(f"'{root}': " + "; ".join(info.problems))
    if not info.has_eval and not allow_no_eval:
        raise ModelDirError(
            f"'{root}' has no evaluation results ({EVAL_RESULTS_FILE}): evaluate it first "
            f"(`khabar evaluate {root}`), or pass --allow-no-eval to publish a card that says "
            "the model is unevaluated"
        )
    return info


def _prepare_output(output: Path, model_dir: Path, *, overwrite: bool) -> None:
    out, src = output.resolve(), model_dir.resolve()
    if out == src or src in out.parents or out in src.parents:
        raise PublishError(
            f"--output '{output}' must not be the model directory or inside/above it"
        )
    if output.exists() and not output.is_dir():
        raise PublishError(f"--output '{output}' exists and is not a directory")
    if output.is_dir() and any(output.iterdir()):
        if not overwrite:
            raise PublishError(
                f"--output '{output}' is not empty; pass --overwrite to replace an earlier stage, "
                "or choose an empty directory"
            )
        if not (output / META_FILE).is_file():
            raise PublishError(
                f"--output '{output}' is not empty and does not look like an earlier khabar stage "
                f"(no {META_FILE}); refusing to delete its contents"
            )
        shutil.rmtree(output)
    output.mkdir(parents=True, exist_ok=True)


def _scan_for_token(stage: Path, token: str | None) -> None:
    if not token:
        return
    needle = token.encode()
    found = [p.name for p in sorted(stage.rglob("*")) if p.is_file() and needle in p.read_bytes()]
    if found:
        raise PublishError(
            f"staged files contain your Hub token: {', '.join(found)}; nothing was uploaded. "
            "Remove the token from the model directory's files."
        )


def stage_model_dir(
    model_dir: str | Path,
    stage_dir: str | Path,
    *,
    repo_id: str | None = None,
    allow_no_eval: bool = False,
    token: str | None = None,
) -> list[StagedFile]:
    """Copy what should be uploaded into ``stage_dir`` (empty) and render its card.

    Uploaded: weights (``*.safetensors``), ``config.json``, ``generation_config.json``, the
    tokenizer files, ``khabar_*.json``, the run config, data summary, training and evaluation
    results, the training log history and plots, and a ``README.md`` rendered from these files.
    Not uploaded: ``checkpoints/``, pickle files, ``training_args.bin``, the old ``README.md``,
    hidden and unknown files (each is logged).
    """
    from khabar.card import render_model_card, validate_card

    root = Path(model_dir)
    stage = Path(stage_dir)
    check_publishable(root, allow_no_eval=allow_no_eval)
    stage.mkdir(parents=True, exist_ok=True)
    for path in sorted(root.iterdir()):
        if path.is_symlink():
            # a link could point anywhere (a private key, a password file): never follow one
            logger.warning(
                "not uploaded: %s (a symbolic link; khabar never follows links)", path.name
            )
        elif path.is_file() and _is_uploaded(path.name):
            shutil.copy2(path, stage / path.name, follow_symlinks=False)
        elif path.name != CARD_FILE:
            why = (
                "training checkpoints"
                if path.name == CHECKPOINTS_DIR
                else "not part of a model repository"
            )
            logger.info("not uploaded: %s (%s)", path.name, why)
    text = render_model_card(stage, repo_id=repo_id, default_name=root.resolve().name)
    for warning in validate_card(text, model_dir=stage):
        logger.warning("model card: %s", warning)
    (stage / CARD_FILE).write_text(text, encoding="utf-8")
    _scan_for_token(stage, token)
    return [StagedFile(p.name, p.stat().st_size) for p in sorted(stage.iterdir()) if p.is_file()]


# ------------------------------------------------------------------------------ publishing


def _scrub(text: str, token: str | None) -> str:
    return text.replace(token, MASK) if token else text


def _commit_message(info: ModelCardInfo) -> tuple[str, str]:
    """A one-line message with khabar's version and the headline result, and a description."""
    from khabar.card.gather import ROUGE_METRICS

    title = f"Upload {info.model_name} ({info.task_words}) with khabar {__version__}"
    lines = []
    main = "test" if "test" in info.splits else next(iter(info.splits), None)
    for split, entry in info.splits.items():
        model = entry.get("model") or {}
        base = entry.get("baseline") or {}
        if info.is_summarizer:
            keys = [k for k, _ in ROUGE_METRICS if isinstance(model.get(k), int | float)]
        else:
            keys = [k for k in ("accuracy", "macro_f1") if isinstance(model.get(k), int | float)]
        parts = [f"{k} {float(model[k]):.4f}" for k in keys]
        bparts = [f"{k} {float(base[k]):.4f}" for k in keys if isinstance(base.get(k), int | float)]
        line = (
            f"{split} ({entry.get('domain', 'in-domain')}, n={entry.get('n', '?')}): "
            + ", ".join(parts)
        )
        if bparts:
            line += f"; baseline {', '.join(bparts)}"
        lines.append(line)
        if split == main and parts:
            title += f": {split} {parts[-1] if not info.is_summarizer else parts[min(2, len(parts) - 1)]}"
    if not lines:
        title += ": no evaluation results"
        lines.append("This model has no evaluation results.")
    return title, "\n".join(lines)


def _resolve_token(token: str | None) -> str:
    if token:
        return token
    from huggingface_hub import get_token

    found = get_token()
    if not found:
        raise PublishError(
            "no Hugging Face token: set HF_TOKEN in the environment or log in with "
            "`hf auth login` (a token with write access)"
        )
    return found


def publish(
    model_dir: str | Path,
    repo_id: str | None = None,
    *,
    private: bool | None = None,
    dry_run: bool = False,
    output: str | Path | None = None,
    overwrite: bool = False,
    allow_no_eval: bool = False,
    convert_weights: bool = False,
    endpoint: str | None = None,
    token: str | None = None,
    commit_message: str | None = None,
    revision: str | None = None,
) -> PublishResult:
    """Stage a model directory and (unless ``dry_run``) upload it to the Hub in one commit.

    Args:
        model_dir: the khabar model directory.
        repo_id: ``ORG/NAME`` (default: ``hub.repo_id`` of the run configuration).
        private: create the repository private (default: ``hub.private``; an existing
            repository keeps its visibility).
        dry_run: only stage and list the files; nothing is sent.
        output: where a dry run stages (default: a new temporary directory, kept).
        overwrite: replace an earlier stage in ``output``.
        allow_no_eval: publish a model without evaluation results (the card says so).
        convert_weights: convert pickle weights to safetensors first.
        endpoint: Hub URL (default: ``$HF_ENDPOINT``, then huggingface.co).
        token: a Hub token (default: ``HF_TOKEN`` or the ``huggingface_hub`` login).
        commit_message: replaces the generated one-line message.
        revision: branch to commit to (default: ``main``).
    """
    from khabar.card import ModelCardInfo

    root = Path(model_dir)
    if (
        convert_weights
        and root.is_dir()
        and not any(root.glob("*.safetensors"))
        and find_pickle_weights(root)
    ):
        convert_to_safetensors(root)
    info = check_publishable(root, allow_no_eval=allow_no_eval)
    repo_id = repo_id or info.hub.get("repo_id") or None
    if repo_id:
        from huggingface_hub.utils import HFValidationError, validate_repo_id

        try:
            validate_repo_id(repo_id)
        except HFValidationError as err:
            raise PublishError(f"invalid --repo-id '{repo_id}': {err}") from None
    elif not dry_run:
        raise PublishError("give --repo-id ORG/NAME (or set hub.repo_id in the run configuration)")
    if private is None:
        private = bool(info.hub.get("private", False))
    if not dry_run:
        from huggingface_hub import constants

        if constants.is_offline_mode():
            raise PublishError(
                "huggingface_hub is in offline mode (HF_HUB_OFFLINE is set): unset it to publish, "
                "or use --dry-run"
            )
        token = _resolve_token(token)
    elif token is None:
        from huggingface_hub import get_token

        token = get_token()  # only to check that no staged file contains it
    endpoint = endpoint or os.environ.get("HF_ENDPOINT") or None
    if dry_run:
        stage = Path(output) if output else Path(tempfile.mkdtemp(prefix="khabar-publish-"))
        if output:
            _prepare_output(stage, root, overwrite=overwrite)
        try:
            files = stage_model_dir(
                root, stage, repo_id=repo_id, allow_no_eval=allow_no_eval, token=token
            )
            message, _ = _commit_message(
                ModelCardInfo.from_model_dir(
                    stage, repo_id=repo_id, default_name=root.resolve().name
                )
            )
        except BaseException:
            # a refused stage leaves no copy of the model behind (the run config, the weights)
            shutil.rmtree(stage, ignore_errors=True)
            if output:
                stage.mkdir(parents=True, exist_ok=True)  # the (emptied) folder the user named
            raise
        result = PublishResult(
            repo_id=repo_id,
            stage_dir=stage,
            files=files,
            dry_run=True,
            commit_message=commit_message or message,
            private=private,
        )
        logger.info(
            "dry run: %d files (%s) staged in %s",
            len(files),
            _human_size(result.total_bytes),
            stage,
        )
        return result
    assert repo_id is not None and token is not None
    with tempfile.TemporaryDirectory(prefix="khabar-publish-") as tmp:
        stage = Path(tmp)
        files = stage_model_dir(
            root, stage, repo_id=repo_id, allow_no_eval=allow_no_eval, token=token
        )
        message, description = _commit_message(
            ModelCardInfo.from_model_dir(stage, repo_id=repo_id, default_name=root.resolve().name)
        )
        message = commit_message or message
        url, commit_url = _upload(
            stage,
            files,
            repo_id=repo_id,
            private=private,
            endpoint=endpoint,
            token=token,
            message=message,
            description=description,
            revision=revision,
        )
    result = PublishResult(
        repo_id=repo_id,
        stage_dir=None,
        files=files,
        dry_run=False,
        url=url,
        commit_url=commit_url,
        commit_message=message,
        private=private,
    )
    logger.info("published %s (%d files) at %s", repo_id, len(files), url)
    return result


def _upload(
    stage: Path,
    files: Sequence[StagedFile],
    *,
    repo_id: str,
    private: bool,
    endpoint: str | None,
    token: str,
    message: str,
    description: str,
    revision: str | None,
) -> tuple[str, str | None]:
    """Create the repository and upload the stage in one commit; errors are scrubbed of the token."""
    from huggingface_hub import CommitOperationAdd, HfApi

    api = HfApi(endpoint=endpoint, token=token, library_name="khabar", library_version=__version__)
    try:
        repo_url = api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        operations = [
            CommitOperationAdd(path_in_repo=f.name, path_or_fileobj=str(stage / f.name))
            for f in files
        ]
        logger.info("uploading %d files to %s in one commit", len(operations), repo_id)
        commit = api.create_commit(
            repo_id,
            operations,
            commit_message=message,
            commit_description=description,
            repo_type="model",
            revision=revision,
        )
    except Exception as err:  # anything from the HTTP layer: re-raised without the token
        detail = _scrub(f"{type(err).__name__}: {err}", token)
        raise PublishError(f"upload of {repo_id} failed: {detail}") from None
    return str(repo_url), getattr(commit, "commit_url", None)
