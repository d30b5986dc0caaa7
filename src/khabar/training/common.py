"""What every khabar training run shares: arguments, callbacks, timing, saving (the output
directory's rules are in :mod:`khabar.training.output_dir`)."""

from __future__ import annotations

import math
import os
import resource
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import torch
from transformers import (
    PreTrainedModel,
    PreTrainedTokenizerBase,
    Trainer,
    TrainerCallback,
    TrainerControl,
    TrainerState,
    TrainingArguments,
)

from khabar._logging import get_logger
from khabar._version import __version__
from khabar.config import KHABAR_TRAINING_KEYS, RunConfig
from khabar.data import DataSummary
from khabar.device import fast_bf16_autocast, resolve_device
from khabar.errors import ConfigError
from khabar.io import (
    staged_directory,
    write_json_atomic,
    write_text_atomic,
)
from khabar.model_dir import (
    CHECKPOINTS_DIR,
    DATA_SUMMARY_FILE,
    EVAL_RESULTS_FILE,
    META_FILE,
    RUN_CONFIG_FILE,
    TRAIN_RESULTS_FILE,
    ModelMeta,
)
from khabar.modeling.loading import save_tokenizer
from khabar.text import TextPreprocessor
from khabar.training.averaging import WeightAveraging
from khabar.training.output_dir import last_checkpoint

logger = get_logger(__name__)


@dataclass
class TrainOutcome:
    """Where the model went and what it scored."""

    output_dir: Path
    train_results: dict[str, Any]
    eval_results: dict[str, Any]


DEFAULT_TRAINING_ARGS: dict[str, Any] = {
    "num_train_epochs": 3,
    "per_device_train_batch_size": 32,
    "per_device_eval_batch_size": 64,
    "learning_rate": 5e-5,
    "warmup_steps": 0.06,
    "weight_decay": 0.01,
    "eval_strategy": "epoch",
    "save_strategy": "epoch",
    "save_total_limit": 2,
    "logging_steps": 50,
    "report_to": "none",
    "train_sampling_strategy": "group_by_length",
    "dataloader_num_workers": 0,
    "disable_tqdm": True,
    "ddp_find_unused_parameters": False,
}


def build_training_arguments(
    config: RunConfig,
    output_dir: Path,
    *,
    args_class: type[TrainingArguments] = TrainingArguments,
    defaults: Mapping[str, Any] | None = None,
    greater_is_better: bool = True,
) -> TrainingArguments:
    """``TrainingArguments`` from khabar's defaults, then the config's ``training`` section."""
    values: dict[str, Any] = {**DEFAULT_TRAINING_ARGS, **(defaults or {})}
    values.update({k: v for k, v in config.training.items() if k not in KHABAR_TRAINING_KEYS})
    values.setdefault("dataloader_pin_memory", torch.cuda.is_available())
    device = resolve_device("auto")
    values["bf16"] = _resolve_bf16(values.get("bf16", False), device, config)
    if device.type == "cpu":
        # training runs on the CPU anyway; saying so lets `bf16: true` use CPU autocast (fast on
        # CPUs with AMX / AVX512-BF16) and several processes (`accelerate launch --multi_gpu` on a
        # CPU machine) train over gloo
        values.setdefault("use_cpu", True)
    values.setdefault("seed", config.seed)
    values.setdefault("data_seed", config.seed)
    # the best checkpoint can be loaded only where checkpoints are saved at the evaluations
    evaluated, saved = values.get("eval_strategy", "no"), values.get("save_strategy", "steps")
    values.setdefault("load_best_model_at_end", evaluated != "no" and saved in (evaluated, "best"))
    values.setdefault("metric_for_best_model", f"eval_{config.evaluation.metric}")
    values.setdefault("greater_is_better", greater_is_better)
    if not config.output.save_checkpoints and values.get("save_strategy") != "no":
        logger.info("output.save_checkpoints is false: checkpoints are removed after training")
    try:
        args = args_class(output_dir=str(output_dir / CHECKPOINTS_DIR), **values)
    except (ValueError, TypeError) as err:  # transformers' own cross-checks of the arguments
        text = str(err)
        named = [k for k in config.training if k in text]
        raise ConfigError(
            f"TrainingArguments refused these values: {text.strip()}",
            file=config.source_file,
            key=f"training.{named[0]}" if named else "training",
        ) from None
    _check_packages(args, config)
    return args


def _check_packages(args: TrainingArguments, config: RunConfig) -> None:
    """An optimiser or a logging integration whose package is missing fails before the model
    loads, naming the key (``Trainer`` would fail only once it builds them)."""
    from transformers.integrations import get_reporting_integration_callbacks

    try:
        Trainer.get_optimizer_cls_and_kwargs(args)
    except (ImportError, ValueError) as err:
        raise ConfigError(str(err).strip(), file=config.source_file, key="training.optim") from None
    try:
        for callback in get_reporting_integration_callbacks(args.report_to):
            callback()
    except (ImportError, RuntimeError, ValueError) as err:
        raise ConfigError(
            f"{str(err).strip()} (or set training.report_to: none)",
            file=config.source_file,
            key="training.report_to",
        ) from None


def _resolve_bf16(value: bool | str, device: torch.device, config: RunConfig) -> bool:
    """``training.bf16``: ``auto`` is bf16 autocast only where it is fast (see
    :func:`khabar.device.fast_bf16_autocast`); ``true`` is honoured, with a warning where the
    CPU would emulate bfloat16."""
    fast = fast_bf16_autocast(device)
    if value == "auto":
        logger.info(
            "training.bf16 auto: %s on this %s",
            "bf16 autocast (float32 master weights)" if fast else "float32 (no native bfloat16)",
            device.type,
        )
        return fast
    if value is True and device.type == "cpu" and not fast:
        logger.warning(
            "training.bf16 is true in %s, but this CPU has neither AVX512-BF16 nor AMX: bfloat16 "
            "is emulated and trains many times slower than float32; set training.bf16: auto",
            config.source_file or "the config",
        )
    return bool(value)


def training_autocast(args: TrainingArguments) -> torch.dtype | None:
    """The autocast dtype the ``Trainer`` trained under (``bf16`` / ``fp16``), or None: the
    evaluation after training runs the same way."""
    if args.bf16:
        return torch.bfloat16
    if args.fp16:
        return torch.float16
    return None


class TimeBudgetCallback(TrainerCallback):
    """Stop training (after evaluating and saving) once ``minutes`` of wall time are spent.

    The stop ends the epoch too; the evaluation and save that ``eval_strategy: epoch`` would
    then run at the same step again are skipped (on a CPU one evaluation of a large dev split
    takes minutes).

    With ``schedule=True`` (``training.schedule_to_time_budget``) the learning-rate schedule runs
    to the budget as well: its progress is the larger of the steps done and the share of the
    budget spent, so a linear decay reaches zero where the budget stops training, instead of
    being cut off half way (Li, Yumer & Ramanan, "Budgeted Training", ICLR 2020: for a fixed
    budget, a schedule that decays to zero at its end beats a longer one truncated). Where the
    steps run out first, the schedule is the usual one.
    """

    def __init__(self, minutes: float, *, schedule: bool = False):
        self.seconds = minutes * 60.0
        self.schedule = schedule
        self.start = time.monotonic()
        self.stop_step: int | None = None
        """The step at which the budget stopped training (None: it did not)."""

    def budget_step(self, max_steps: int) -> int:
        """The step of a ``max_steps`` schedule that the time spent so far corresponds to."""
        spent = (time.monotonic() - self.start) / self.seconds
        return min(max_steps, math.ceil(max_steps * spent))

    def _schedule_to_budget(self, scheduler: Any, max_steps: int) -> None:
        """Make a ``LambdaLR`` (every ``transformers`` schedule with warmup is one) read the
        later of its own step and :meth:`budget_step`."""
        inner = getattr(scheduler, "scheduler", scheduler)  # accelerate wraps the scheduler
        if not isinstance(inner, torch.optim.lr_scheduler.LambdaLR):
            raise ConfigError(
                f"the {type(inner).__name__} schedule cannot follow the time budget: use a "
                "transformers schedule (linear, cosine, ...) or drop schedule_to_time_budget",
                key="training.schedule_to_time_budget",
            )

        def to_budget(base: Callable[[int], float]) -> Callable[[int], float]:
            return lambda step: base(max(step, self.budget_step(max_steps)))

        inner.lr_lambdas = [to_budget(f) for f in inner.lr_lambdas]

    @property
    def stopped_early(self) -> bool:
        return self.stop_step is not None

    def on_train_begin(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any
    ) -> None:
        self.start = time.monotonic()
        if self.schedule and kw.get("lr_scheduler") is not None:
            self._schedule_to_budget(kw["lr_scheduler"], state.max_steps)

    def on_step_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any
    ) -> None:
        if time.monotonic() - self.start >= self.seconds and not control.should_training_stop:
            logger.warning(
                "time budget of %.1f minutes reached at step %d: stopping",
                self.seconds / 60,
                state.global_step,
            )
            self.stop_step = state.global_step
            control.should_training_stop = True
            control.should_evaluate = args.eval_strategy != "no"
            control.should_save = args.save_strategy != "no"

    def on_epoch_end(
        self, args: TrainingArguments, state: TrainerState, control: TrainerControl, **kw: Any
    ) -> None:
        if self.stop_step is not None and state.global_step == self.stop_step:
            # evaluated and saved at this very step when the budget stopped training
            control.should_evaluate = False
            control.should_save = False


@dataclass
class RunCallbacks:
    """The callbacks of a run (:func:`build_callbacks`), with the two the runner asks after."""

    all: list[TrainerCallback]
    time_budget: TimeBudgetCallback | None = None
    averaging: WeightAveraging | None = None


def build_callbacks(
    config: RunConfig,
    extra: Sequence[TrainerCallback] = (),
    args: TrainingArguments | None = None,
) -> RunCallbacks:
    """The run's callbacks: the caller's, early stopping, weight averaging and the time budget
    from ``training``.

    Early stopping needs evaluation during training: with ``args`` whose evaluation is off (no
    dev split), it is left out with a warning."""
    from transformers import EarlyStoppingCallback

    callbacks: list[TrainerCallback] = list(extra)
    patience = config.training.get("early_stopping_patience")
    if patience and args is not None and args.eval_strategy == "no":
        logger.warning("training.early_stopping_patience is ignored: no evaluation during training")
        patience = None
    if patience:
        callbacks.append(EarlyStoppingCallback(early_stopping_patience=int(patience)))
    start = config.training.get("average_weights_from_epoch")
    averaging = WeightAveraging(float(start)) if start else None
    if averaging:
        callbacks.append(averaging)
    budget = config.training.get("max_train_minutes")
    schedule = bool(config.training.get("schedule_to_time_budget"))
    time_cb = TimeBudgetCallback(float(budget), schedule=schedule) if budget else None
    if time_cb:
        callbacks.append(time_cb)
    return RunCallbacks(callbacks, time_cb, averaging)


def require_dev_for_evaluation(args: TrainingArguments, has_dev: bool) -> None:
    """Without a dev split, turn off evaluation during training and best-checkpoint selection."""
    if has_dev or args.eval_strategy == "no":
        return
    logger.warning("no dev split: evaluation during training and best-checkpoint selection are off")
    args.eval_strategy = args.save_strategy = "no"  # type: ignore[assignment]
    args.load_best_model_at_end = False


def peak_memory_mb() -> dict[str, float]:
    """Peak resident memory of this process (and peak CUDA memory when a GPU was used)."""
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_mb = rss_kb / 1024 if sys.platform != "darwin" else rss_kb / 2**20
    out = {"peak_rss_mb": round(rss_mb, 1)}
    if torch.cuda.is_available():
        out["peak_cuda_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return out


@dataclass
class RunTimer:
    """Wall-clock timing of a run's phases: :meth:`mark` ends one, and ``marks`` holds each
    phase's own seconds (from the end of the one before), in order."""

    start: float = field(default_factory=time.monotonic)
    marks: dict[str, float] = field(default_factory=dict)
    _last: float | None = None

    def mark(self, name: str) -> None:
        now = time.monotonic()
        self.marks[name] = round(now - (self._last if self._last is not None else self.start), 2)
        self._last = now

    def report(self) -> dict[str, Any]:
        """``wall_time_s`` (seconds since the run started, rounded as the phases are) and
        ``phases_s`` (a copy of :attr:`marks`), as ``train_results.json`` records them."""
        return {
            "wall_time_s": round(time.monotonic() - self.start, 2),
            "phases_s": dict(self.marks),
        }


def train_and_measure(
    trainer: Trainer,
    output_dir: Path,
    *,
    resume: bool,
    timer: RunTimer,
    time_cb: TimeBudgetCallback | None,
) -> dict[str, Any]:
    """Run ``trainer.train`` (from the last checkpoint in ``output_dir`` with ``resume``) and
    return its :func:`train_results`. The train dataset must have a ``length`` column.

    Resuming from a checkpoint taken at ``max_steps`` trains one step more (``transformers``
    does so, plain ``Trainer`` too; khabar only says so): resume from an earlier checkpoint, or
    raise ``training.max_steps``, to train exactly to a step count.
    """
    resume_from = last_checkpoint(output_dir) if resume else None
    if resume and resume_from is None:
        logger.warning(
            "--resume: no checkpoint in %s, starting from the beginning",
            output_dir / CHECKPOINTS_DIR,
        )
    if resume_from is not None and trainer.args.max_steps > 0:
        state_file = resume_from / "trainer_state.json"
        done = (
            TrainerState.load_from_json(str(state_file)).global_step if state_file.is_file() else 0
        )
        if done >= trainer.args.max_steps:
            logger.warning(
                "--resume: %s is at step %d, training.max_steps is %d; transformers trains one "
                "step more when resuming a finished run",
                resume_from.name,
                done,
                trainer.args.max_steps,
            )
    try:
        output = trainer.train(resume_from_checkpoint=str(resume_from) if resume_from else None)
    except RuntimeError as err:
        if resume_from is None or "state_dict" not in str(err):
            raise
        first = next((line.strip() for line in str(err).splitlines()[1:] if line.strip()), "")
        raise ConfigError(
            f"{resume_from} does not fit the model this config builds ({first}); a resumed run "
            "keeps the model settings of the run it continues: restore them, or pass "
            "--overwrite to start again"
        ) from None
    timer.mark("training")
    train_ds = cast(Any, trainer.train_dataset)
    args = trainer.args
    world = args.world_size
    return train_results(
        output.metrics,
        train_samples=len(train_ds),
        train_tokens=int(sum(list(train_ds["length"]))),
        epochs_done=epochs_done(trainer.state, steps_per_epoch(len(train_ds), args, world)),
        hardware=describe_hardware(),
        timer=timer,
        world_size=world,
        stopped_by_time_budget=bool(time_cb and time_cb.stopped_early),
        scheduled_to_time_budget=bool(time_cb and time_cb.schedule),
    )


def train_results(
    train_output_metrics: Mapping[str, Any],
    *,
    train_samples: int,
    train_tokens: int,
    epochs_done: float,
    hardware: str,
    timer: RunTimer,
    world_size: int,
    stopped_by_time_budget: bool = False,
    scheduled_to_time_budget: bool = False,
) -> dict[str, Any]:
    """The measured starting point for speed work, written as ``train_results.json``."""
    runtime = float(train_output_metrics.get("train_runtime", 0.0)) or 1e-9
    return {
        "train_runtime_s": round(runtime, 2),
        **timer.report(),
        "train_samples": train_samples,
        "epochs": round(epochs_done, 3),
        "train_samples_per_second": round(train_samples * epochs_done / runtime, 2),
        "train_tokens_per_second": round(train_tokens * epochs_done / runtime, 1),
        "train_loss": train_output_metrics.get("train_loss"),
        "world_size": world_size,
        "hardware": hardware,
        "stopped_by_time_budget": stopped_by_time_budget,
        "scheduled_to_time_budget": scheduled_to_time_budget,
        **peak_memory_mb(),
        "torch": torch.__version__,
        "khabar": __version__,
    }


def describe_hardware() -> str:
    if torch.cuda.is_available():
        return f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}"
    return f"CPU ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)"


def epochs_done(state: TrainerState, steps_per_epoch: int) -> float:
    return state.global_step / max(1, steps_per_epoch)


def steps_per_epoch(n_samples: int, args: TrainingArguments, world_size: int) -> int:
    per_step = (
        args.per_device_train_batch_size * args.gradient_accumulation_steps * max(1, world_size)
    )
    return max(1, math.ceil(n_samples / per_step))


def save_model_directory(
    output_dir: Path,
    *,
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    preprocessor: TextPreprocessor,
    meta: ModelMeta,
    config: RunConfig,
    summary: DataSummary,
    train_metrics: Mapping[str, Any],
    eval_report: Mapping[str, Any],
    extra_writers: list[Callable[[Path], object]] | None = None,
) -> Path:
    """Write a complete model directory atomically (checkpoints of the run are kept)."""
    from khabar.card import write_model_card

    with staged_directory(output_dir, keep=(CHECKPOINTS_DIR,), marker=META_FILE) as stage:
        model.save_pretrained(stage, safe_serialization=True)
        save_tokenizer(tokenizer, stage)
        preprocessor.save_pretrained(stage)
        meta.save(stage)
        write_text_atomic(stage / RUN_CONFIG_FILE, config.to_yaml())
        summary.save(stage / DATA_SUMMARY_FILE)
        write_json_atomic(stage / TRAIN_RESULTS_FILE, dict(train_metrics))
        write_json_atomic(stage / EVAL_RESULTS_FILE, dict(eval_report))
        for writer in extra_writers or []:
            writer(stage)
        # a config without a name: the card is titled after the output directory, not the stage
        write_model_card(stage, default_name=output_dir.resolve().name)
    logger.info("model saved to %s", output_dir)
    return output_dir


__all__ = [
    "DEFAULT_TRAINING_ARGS",
    "RunTimer",
    "TimeBudgetCallback",
    "TrainOutcome",
    "build_training_arguments",
    "describe_hardware",
    "peak_memory_mb",
    "save_model_directory",
    "train_results",
    "training_autocast",
]
