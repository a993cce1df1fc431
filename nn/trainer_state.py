"""The trainer's part of a state file: epoch count, shuffling RNG, history, early stopping.

:func:`encode_trainer` writes it (JSON-ready: floats through :func:`nn.state.encode_float`,
the Mersenne Twister's 624 words as hex); :func:`prepare_trainer` checks a read one and
returns the function that sets it, so a bad file changes nothing.  The trainer is used only
through its attributes (``epoch``, ``rng``, ``history``, ``early_stopping``,
``optimizer.params``).

>>> import random
>>> from types import SimpleNamespace
>>> old = SimpleNamespace(epoch=2, rng=random.Random(5), history=History([{"loss": 0.5}]),
...                       early_stopping=None, optimizer=SimpleNamespace(params=[]))
>>> new = SimpleNamespace(epoch=0, rng=random.Random(0), history=History(),
...                       early_stopping=None, optimizer=SimpleNamespace(params=[]))
>>> prepare_trainer(new, encode_trainer(old), "<example>")()
>>> new.epoch, new.history["loss"], new.rng.random() == old.rng.random()
(2, [0.5], True)
"""

from __future__ import annotations

import random
from typing import Any, Callable, Optional

from .callbacks import EarlyStopping, History
from .errors import StateFileError
from .state import decode_float, encode_float, expect

__all__ = ["encode_trainer", "prepare_trainer"]

_RNG_KEYS = ("version", "words", "pos", "gauss")


def encode_trainer(trainer: Any) -> dict:
    """Epoch count, shuffling RNG state, history and early-stopping state (JSON-ready)."""
    version, internal, gauss = trainer.rng.getstate()
    words = "".join(f"{w:08x}" for w in internal[:-1])  # Mersenne Twister: 624 words
    history = [{k: (encode_float(v) if isinstance(v, float) else v) for k, v in r.items()}
               for r in trainer.history]
    return {"epoch": trainer.epoch,
            "rng": {"version": version, "words": words, "pos": internal[-1],
                    "gauss": None if gauss is None else encode_float(gauss)},
            "history": history,
            "early_stopping": None if trainer.early_stopping is None
            else trainer.early_stopping.state_dict()}


def prepare_trainer(trainer: Any, state: Any, source: str) -> Callable[[], None]:
    """Check ``state`` (from :func:`encode_trainer`) against ``trainer``; return the function
    that sets it.  Anything wrong raises :class:`~autograd.errors.StateFileError` naming
    ``source``, before anything is set."""
    expect(isinstance(state, dict), source, "trainer state must be an object")
    epoch = state.get("epoch")
    expect(isinstance(epoch, int) and not isinstance(epoch, bool) and epoch >= 0, source,
           f"trainer epoch must be an int >= 0, got {epoch!r:.40}")
    probe = _decode_rng(state.get("rng"), source)
    history = _decode_history(state.get("history"), source)
    es_state = state.get("early_stopping")
    progress = (None if es_state is None
                else _decode_early_stopping(es_state, len(trainer.optimizer.params), source))

    def apply() -> None:
        trainer.epoch = epoch
        trainer.rng.setstate(probe.getstate())
        trainer.history = History(history)
        if progress is not None:
            if trainer.early_stopping is None:  # settings come with the next fit()
                trainer.early_stopping = EarlyStopping()
            trainer.early_stopping.set_progress(progress)
    return apply


def _decode_rng(rng_state: Any, source: str) -> random.Random:
    """A generator in the state ``rng_state`` describes."""
    expect(isinstance(rng_state, dict) and sorted(rng_state) == sorted(_RNG_KEYS),
           source, "trainer rng state must be an object with version, words, pos, gauss")
    words = rng_state["words"]
    expect(isinstance(words, str) and len(words) == 624 * 8
           and all(c in "0123456789abcdef" for c in words), source,
           "trainer rng words must be 4992 lowercase hex digits")
    probe = random.Random()
    try:
        gauss = rng_state["gauss"]
        internal = tuple(int(words[i:i + 8], 16) for i in range(0, len(words), 8))
        probe.setstate((rng_state["version"], internal + (rng_state["pos"],),
                        None if gauss is None else decode_float(gauss, "rng gauss")))
    except (TypeError, ValueError, OverflowError) as e:
        raise StateFileError(f"{source}: trainer rng state is malformed: {e}") from None
    return probe


def _decode_history(records: Any, source: str) -> list[dict]:
    """The history's records, floats decoded."""
    expect(isinstance(records, list) and all(isinstance(r, dict) for r in records), source,
           "trainer history must be a list of objects")
    history = []
    for r in records:
        rec = {}
        for k, v in r.items():
            rec[k] = decode_float(v, f"{source}: history {k!r}") \
                if isinstance(v, (float, str)) else v
        history.append(rec)
    return history


def _decode_early_stopping(es_state: Any, n_params: int, source: str) -> dict:
    """The progress :meth:`EarlyStopping.state_dict` wrote, for ``n_params`` parameters."""
    expect(isinstance(es_state, dict), source, "early_stopping state must be an object")
    best = decode_float(es_state.get("best"), f"{source}: early_stopping best")
    ints = {}
    for key in ("best_epoch", "wait", "epochs_seen"):
        v = es_state.get(key)
        expect(isinstance(v, int) and not isinstance(v, bool) and v >= 0, source,
               f"early_stopping {key} must be an int >= 0")
        ints[key] = v
    bs = es_state.get("best_state")
    expect(bs is None or (isinstance(bs, list) and len(bs) == n_params),
           source, "early_stopping best_state has the wrong length")
    best_state: Optional[list[float]] = None if bs is None else [
        decode_float(v, f"{source}: early_stopping best_state[{i}]") for i, v in enumerate(bs)]
    return {"best": best, "best_state": best_state, **ints}
