"""One training runner for every task; the task-specific parts are hooks.

The flow, the same for a topic classifier, a stance detector and a summariser::

    config ─► output-dir check ─► data + data summary ─► text preprocessing ─► TrainingArguments
           ─► model factory (checkpoint, warm start or scratch + tokenizer) ─► tokenising
           ─► Trainer (hooks.build_trainer) ─► (--overwrite: the earlier run's checkpoints go)
           ─► training ─► evaluation beside the baseline (hooks.evaluate)
           ─► atomically written model directory ─► model card

:class:`TaskHooks` holds the steps that differ between task kinds; the kind's hooks class is
chosen from the task registry (:mod:`khabar.tasks`) through :data:`HOOKS`. Everything else is
here, once.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from transformers import (
    PreTrainedModel,
    PreTrainedTokenizerBase,
    TrainerCallback,
    TrainingArguments,
    set_seed,
)

from khabar._logging import get_logger
from khabar.config import RunConfig
from khabar.data import load_data, preprocess_dataset
from khabar.errors import ConfigError, DataError
from khabar.io import write_json_atomic
from khabar.metrics import plot_learning_curve
from khabar.model_dir import (
    CHECKPOINTS_DIR,
    LEARNING_CURVE_FILE,
    LOG_HISTORY_FILE,
    ModelMeta,
)
from khabar.modeling.factory import base_model_info, check_checkpoint
from khabar.tasks import get_task
from khabar.text import TextPreprocessor
from khabar.training.averaging import keep_better_average
from khabar.training.classification import ClassificationHooks
from khabar.training.common import (
    RunTimer,
    TrainOutcome,
    build_callbacks,
    build_training_arguments,
    require_dev_for_evaluation,
    save_model_directory,
    train_and_measure,
    training_autocast,
)
from khabar.training.hooks import RunData, TaskHooks, TrainerParts
from khabar.training.output_dir import (
    discard_earlier_checkpoints,
    nothing_to_resume,
    prepare_output_dir,
    tokenizer_cache,
)
from khabar.training.summarization import Seq2SeqHooks

logger = get_logger(__name__)

HOOKS: dict[str, type[TaskHooks]] = {
    "classification": ClassificationHooks,
    "seq2seq": Seq2SeqHooks,
}
"""The hooks class of each task kind (:attr:`khabar.tasks.TaskSpec.kind`)."""


def hooks_for(config: RunConfig) -> TaskHooks:
    """The hooks of the config's task kind (from the task registry)."""
    return HOOKS[get_task(config.task).kind](config)


def dataset_names(config: RunConfig) -> list[str]:
    """Names of the data sets a run used (``topic/ant``), for the card."""
    if config.data.dataset:
        return [config.data.dataset]
    names = []
    for path in config.data.files.values():
        parent = Path(path).parent
        name = "/".join(parent.parts[-2:]) if len(parent.parts) >= 2 else parent.name
        if name and name not in names:
            names.append(name)
    return names


def run_training(
    config: RunConfig,
    *,
    output_dir: str | Path | None = None,
    resume: bool = False,
    overwrite: bool = False,
    callbacks: Sequence[TrainerCallback] = (),
    hooks: TaskHooks | None = None,
) -> TrainOutcome:
    """Train, evaluate and save the model a config describes (see the module docstring)."""
    hooks = hooks or hooks_for(config)
    out = Path(output_dir or config.output.dir)
    timer = RunTimer()
    hooks.check()
    if config.model.checkpoint:
        try:
            check_checkpoint(config.model.checkpoint)
        except ConfigError as err:
            raise ConfigError(err.message, file=config.source_file, key=err.key) from None
    prepare_output_dir(out, resume=resume, overwrite=overwrite or config.output.overwrite)
    set_seed(config.seed)

    raw, summary = load_data(config)
    if "train" not in raw:
        raise DataError(
            "the config names no train split (data.files.train)", file=config.source_file
        )
    labels = summary.labels
    logger.info("%s", summary.format())
    timer.mark("data")

    preprocessor = TextPreprocessor.from_dict(config.text) if config.text else TextPreprocessor()
    dataset = preprocess_dataset(raw, preprocessor, hooks.spec.preprocessed_columns)
    hooks.data = RunData(raw, dataset, list(labels), preprocessor, summary)
    timer.mark("preprocessing")

    defaults, greater_is_better = hooks.argument_defaults()
    args = build_training_arguments(
        config,
        out,
        args_class=hooks.args_class,
        defaults=defaults,
        greater_is_better=greater_is_better,
    )
    hooks.check_arguments(args)
    # an earlier run that left no checkpoint (it failed first) is started again, not resumed
    stale = nothing_to_resume(out)
    fresh = ((overwrite or config.output.overwrite) and not resume) or stale
    model, tokenizer, cache_tokenizer = _model_and_tokenizer(
        hooks, args, out, reuse_cache=not fresh
    )
    hooks.prepare_model(model, tokenizer)
    timer.mark("model")

    with args.main_process_first(desc="tokenizing"):
        tokenized = hooks.tokenize(tokenizer)
    require_dev_for_evaluation(args, "dev" in tokenized)
    timer.mark("tokenizing")

    run_callbacks = build_callbacks(config, callbacks, args)
    trainer = hooks.build_trainer(
        TrainerParts(model, tokenizer, args, tokenized, run_callbacks.all)
    )
    # config, data and model are checked: only now may the earlier run's checkpoints go
    discard_earlier_checkpoints(out, resume=resume and not stale, overwrite=fresh)
    if cache_tokenizer and args.should_save:
        tokenizer.save_pretrained(tokenizer_cache(out))
    metrics = train_and_measure(
        trainer, out, resume=resume, timer=timer, time_cb=run_callbacks.time_budget
    )
    if run_callbacks.averaging is not None:
        metrics["weight_average"] = keep_better_average(trainer, run_callbacks.averaging)
    if not trainer.is_world_process_zero():
        return TrainOutcome(out, metrics, {})

    model = cast(PreTrainedModel, trainer.model)
    hooks.finish_model(model)
    meta = ModelMeta(
        task=config.task,
        labels=list(labels),
        base_model=config.model.checkpoint,
        reading=config.reading,
        datasets=dataset_names(config),
        base_model_info=base_model_info(config.model),
    )
    report = hooks.evaluate(model, tokenizer, autocast=training_autocast(args))
    timer.mark("evaluation")
    # the whole run, evaluation included: what `time` on the command would show, less start-up
    metrics.update(timer.report())
    log_history = list(trainer.state.log_history)
    metric = args.metric_for_best_model or f"eval_{config.evaluation.metric}"

    def write_history(stage: Path) -> None:
        plot_learning_curve(log_history, stage / LEARNING_CURVE_FILE, metric=metric)
        write_json_atomic(stage / LOG_HISTORY_FILE, log_history)

    save_model_directory(
        out,
        model=model,
        tokenizer=tokenizer,
        preprocessor=preprocessor,
        meta=meta,
        config=config,
        summary=summary,
        train_metrics=metrics,
        eval_report=report,
        extra_writers=[*hooks.extra_writers(model, report), write_history],
    )
    if not config.output.save_checkpoints:
        shutil.rmtree(out / CHECKPOINTS_DIR, ignore_errors=True)
    return TrainOutcome(out, metrics, report)


def _model_and_tokenizer(
    hooks: TaskHooks,
    args: TrainingArguments,
    out: Path,
    *,
    reuse_cache: bool = True,
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase, bool]:
    """The model factory's output, and whether its tokenizer is still to be kept for ``--resume``.

    A from-scratch run reuses the tokenizer it trained earlier (kept under ``checkpoints/``), so
    that ``--resume`` continues with the same vocabulary. With ``reuse_cache`` off
    (``--overwrite``) the earlier one is ignored: the main process trains a new one and leaves it
    beside it for the other processes (``tokenizer-new``); the runner keeps it for ``--resume``
    once the earlier checkpoints are gone."""
    scratch = hooks.config.model.scratch is not None
    cache = tokenizer_cache(out)
    source = cache if reuse_cache else cache.with_name(f"{cache.name}-new")
    with args.main_process_first(desc="model and tokenizer"):
        if scratch and source.is_dir() and (reuse_cache or not args.should_save):
            from khabar.modeling.loading import load_tokenizer

            logger.info("reusing the tokenizer trained earlier in this run (%s)", source)
            tokenizer = load_tokenizer(source)
            return hooks.scratch_model(tokenizer), tokenizer, False
        model, tokenizer = hooks.build_model(hooks.tokenizer_texts())
        if scratch and args.should_save:
            tokenizer.save_pretrained(source)
    return model, tokenizer, scratch and not reuse_cache


__all__ = ["HOOKS", "dataset_names", "hooks_for", "run_training"]
