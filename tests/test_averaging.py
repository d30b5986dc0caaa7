"""Weight averaging (``training.average_weights_from_epoch``): the running mean, and a real run
that keeps the better of the average and the selected checkpoint on dev."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import torch
from safetensors.torch import load_file
from transformers import TrainerCallback

from conftest import tiny_classifier_config
from khabar.config import config_from_dict
from khabar.errors import ConfigError
from khabar.training import train
from khabar.training.averaging import WeightAveraging, load_weights


def test_running_mean_covers_the_trainable_weights_only() -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    model[0].requires_grad_(False)
    averaging = WeightAveraging(start_epoch=1.0)
    seen = []
    for step in range(5):
        with torch.no_grad():
            model[1].weight.add_(torch.randn_like(model[1].weight))
        seen.append(model[1].weight.detach().clone())
        averaging.update(model, step + 10)
    assert averaging.count == 5 and averaging.first_step == 10
    assert set(averaging.average) == {"1.weight", "1.bias"}  # the frozen layer is not copied
    torch.testing.assert_close(averaging.average["1.weight"], torch.stack(seen).mean(0))

    last = model[1].weight.detach().clone()
    replaced = averaging.swap(model)
    torch.testing.assert_close(model[1].weight.detach(), torch.stack(seen).mean(0))
    torch.testing.assert_close(replaced["1.weight"], last)
    load_weights(model, replaced)
    torch.testing.assert_close(model[1].weight.detach(), last)


class _Snapshots(TrainerCallback):
    """Every step's trainable weights, to check what the run saved against."""

    def __init__(self) -> None:
        self.by_step: dict[int, dict[str, torch.Tensor]] = {}

    def on_step_end(
        self, args: Any, state: Any, control: Any, model: Any = None, **kw: Any
    ) -> None:
        self.by_step[state.global_step] = {
            n: p.detach().float().clone() for n, p in model.named_parameters() if p.requires_grad
        }


@pytest.mark.parametrize("learning_rate", [2e-3, 5e-3])  # here: the checkpoint, the average kept
def test_run_keeps_the_better_of_average_and_checkpoint(
    data_dir: Path, tmp_path: Path, learning_rate: float
) -> None:
    config = config_from_dict(
        tiny_classifier_config(
            "topic",
            data_dir,
            tmp_path / "avg",
            training={
                "num_train_epochs": 3,
                "eval_strategy": "epoch",
                "save_strategy": "epoch",
                "average_weights_from_epoch": 1.0,
                "learning_rate": learning_rate,
            },
            data={"max_samples": {"train": 320, "dev": 80, "test": 40}},
        )
    )
    snapshots = _Snapshots()
    outcome = train(config, callbacks=[snapshots])
    out = outcome.output_dir
    results = json.loads((out / "train_results.json").read_text())
    avg = results["weight_average"]
    history = json.loads((out / "trainer_log_history.json").read_text())
    evals = [e for e in history if "eval_macro_f1" in e]
    assert len(evals) == 3  # the two dev scores of the choice are not logged as epochs
    steps_per_epoch = evals[0]["step"]
    assert avg["metric"] == "macro_f1" and avg["from_epoch"] == 1.0
    assert avg["from_step"] == steps_per_epoch  # epoch 1 ends at this step
    averaged = [s for s in snapshots.by_step if s >= avg["from_step"]]
    assert avg["steps_averaged"] == len(averaged)
    best = max(evals, key=lambda e: e["eval_macro_f1"])
    assert avg["checkpoint"] == pytest.approx(best["eval_macro_f1"], abs=1e-6)
    assert avg["kept"] == ("average" if avg["average"] > avg["checkpoint"] else "checkpoint")

    saved = load_file(str(out / "model.safetensors"))
    names = list(snapshots.by_step[averaged[0]])
    if avg["kept"] == "average":
        expected = {
            n: torch.stack([snapshots.by_step[s][n] for s in averaged]).mean(0) for n in names
        }
    else:
        expected = snapshots.by_step[best["step"]]
    for name in names:
        torch.testing.assert_close(saved[name].float(), expected[name], atol=1e-5, rtol=1e-4)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "Weight averaging" in card and f"over the last {avg['steps_averaged']} steps" in card


@pytest.mark.parametrize(
    ("training", "says"),
    [
        ({"average_weights_from_epoch": 0}, "greater than 0"),
        ({"average_weights_from_epoch": 1, "eval_strategy": "no"}, "needs evaluation"),
    ],
)
def test_averaging_config_refusals_name_the_key(
    data_dir: Path, tmp_path: Path, training: dict[str, Any], says: str
) -> None:
    raw = tiny_classifier_config("topic", data_dir, tmp_path / "x", training=training)
    with pytest.raises(ConfigError, match=r"training\.average_weights_from_epoch") as err:
        config_from_dict(raw)
    assert says in str(err.value)
