"""A checkpoint: a model, its optimizer and its trainer as the body of one state file.

:func:`checkpoint` turns the three objects into the dict :func:`nn.state.write` stores;
:func:`apply_checkpoint` checks every part of a read file against the objects, then sets all
of them or none; :func:`build_model` makes a fresh model from the file's ``model`` section.
The objects are used only through their methods (``named_parameters``, ``config``,
``state_dict``, ``_prepare_state``), and a model class is found by name in
:data:`nn.registry.MODEL_CLASSES`, so this module imports no model, optimizer or trainer.

>>> from nn import MLP
>>> body = checkpoint(MLP(1, [1], seed=0))
>>> body["model"]["class"], list(body["parameters"]), body["optimizer"]
('MLP', ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.b'], None)
>>> build_model(body["model"], "<example>", 2).num_parameters()
2
"""

from __future__ import annotations

from typing import Any, Optional

from .errors import ConfigError, StateFileError
from .registry import MODEL_CLASSES
from .state import encode_float, expect, section

__all__ = ["checkpoint", "apply_checkpoint", "build_model"]


def build_model(spec: Any, source: str, n_parameters: Optional[int] = None) -> Any:
    """A fresh model from a state file's ``model`` section.

    When ``n_parameters`` (how many the file holds) is given, a config that needs more is
    refused before anything is built (the class's ``minimum_parameters(config, source)``, if it
    has one): the model never allocates more than the file holds.
    """
    expect(isinstance(spec, dict) and set(spec) == {"class", "config"}, source,
           "'model' must be an object with 'class' and 'config'")
    cls = MODEL_CLASSES.get(spec["class"]) if isinstance(spec["class"], str) else None
    expect(cls is not None, source, f"unknown model class {spec['class']!r:.40} "
                                    f"(known: {sorted(MODEL_CLASSES)})")
    config = spec["config"]
    expect(isinstance(config, dict), source, "model config must be an object")
    minimum = getattr(cls, "minimum_parameters", None)
    if n_parameters is not None and minimum is not None:
        need = minimum(config, source)
        expect(need <= n_parameters, source,
               f"the model config needs at least {need} parameters but the file holds "
               f"{n_parameters}")
    try:
        return cls.from_config(config)
    except (TypeError, ValueError, OverflowError, ArithmeticError) as e:
        raise StateFileError(f"{source}: cannot rebuild {spec['class']} from its config: {e}"
                             ) from None


def checkpoint(model: Any, optimizer: Any = None, trainer: Any = None) -> dict:
    """The body of a state file: architecture, parameters, optimizer and trainer state."""
    try:
        model_spec: Any = {"class": type(model).__name__, "config": model.config()}
    except ConfigError:
        if type(model).__name__ in MODEL_CLASSES:
            raise
        model_spec = None  # a custom module: parameters only, restore() into an instance
    named = model.named_parameters()
    body: dict = {"model": model_spec,
                  "parameters": {n: encode_float(p.data) for n, p in named},
                  "optimizer": None, "trainer": None}
    if optimizer is not None:
        names = {id(p): n for n, p in named}
        missing = [i for i, p in enumerate(optimizer.params) if id(p) not in names]
        if missing:
            raise ConfigError(f"cannot save optimizer: its parameter #{missing[0]} is not a "
                              f"parameter of the model")
        state = optimizer.state_dict()
        state["params"] = [names[id(p)] for p in optimizer.params]
        body["optimizer"] = state
    if trainer is not None:
        body["trainer"] = trainer.state_dict()
    return body


def apply_checkpoint(payload: dict, source: str, model: Any, optimizer: Any = None,
                     trainer: Any = None) -> None:
    """Check every part of a state file against the objects, then set them all (or none)."""
    assignments = model._prepare_state(payload["parameters"], source)
    opt_apply = trainer_apply = None
    if optimizer is not None:
        opt_state = section(payload, "optimizer", source)
        expect(opt_state is not None, source, "holds no optimizer state")
        names = {id(p): n for n, p in model.named_parameters()}
        expected = [names.get(id(p)) for p in optimizer.params]
        expect(opt_state.get("params") == expected, source,
               "optimizer state is for different parameters than this optimizer holds")
        opt_apply = optimizer._prepare_state(opt_state, source)
    if trainer is not None:
        tr_state = section(payload, "trainer", source)
        expect(tr_state is not None, source, "holds no trainer state")
        trainer_apply = trainer._prepare_state(tr_state, source)
    for p, value in assignments:
        p.data = value
    if opt_apply is not None:
        opt_apply()
    if trainer_apply is not None:
        trainer_apply()
