"""Modes (no_grad, enable_grad, detect_anomaly, the replay tracer) are per thread.

Two threads enter and leave modes in every interleaving (forced with events), each building
graphs and stepping backward between the moves; gradients are always those of a run alone.
"""

import itertools
import threading

import pytest

from autograd import Value, detect_anomaly, enable_grad, is_anomaly_enabled, is_grad_enabled, \
    no_grad
from autograd import value as _value
from autograd.replay import trace
from nn import MLP, Trainer
from nn.optim import SGD


def _run_threads(*targets, timeout=20.0):
    errors = []

    def wrap(fn):
        def run():
            try:
                fn()
            except BaseException as exc:  # reported in the main thread
                errors.append(exc)
        return run
    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a thread hung"
    if errors:
        raise errors[0]


def _grad_of_x_squared(x0=3.0):
    x = Value(x0)
    (x * x).backward()
    return x.grad


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    inside, done = threading.Event(), threading.Event()
    seen = {}

    def quiet():
        with no_grad():
            inside.set()
            done.wait(10)
            seen["quiet"] = is_grad_enabled(), (Value(1.0, requires_grad=True) * 2).requires_grad

    def busy():
        inside.wait(10)
        seen["busy"] = is_grad_enabled(), _grad_of_x_squared()
        done.set()
    _run_threads(quiet, busy)
    assert seen == {"quiet": (False, False), "busy": (True, 6.0)}
    assert is_grad_enabled() and not _value._slow


MOVES = ["A+", "A-", "B+", "B-"]
ORDERS = [order for order in itertools.permutations(MOVES)
          if order.index("A+") < order.index("A-") and order.index("B+") < order.index("B-")]


@pytest.mark.parametrize("mode", ["no_grad", "anomaly", "no_grad_then_enable"])
@pytest.mark.parametrize("order", ORDERS, ids="".join)
def test_two_threads_enter_and_leave_modes_in_any_interleaving(order, mode):
    """Every interleaving of two threads' enter/leave; after each move both threads check
    their own mode and step a gradient."""
    turn = [threading.Event() for _ in range(len(order) + 1)]
    checked = [threading.Barrier(2) for _ in range(len(order))]
    log = []

    def context():
        if mode == "no_grad":
            return no_grad()
        if mode == "anomaly":
            return detect_anomaly()
        return _nested()

    def worker(name):
        mine = [i for i, move in enumerate(order) if move[0] == name]
        stack = []
        for i in range(len(order)):
            if i in mine:
                turn[i].wait(10)
                if order[i].endswith("+"):
                    cm = context()
                    cm.__enter__()
                    stack.append(cm)
                else:
                    stack.pop().__exit__(None, None, None)
                turn[i + 1].set()
            else:
                turn[i + 1].wait(10)
            inside = bool(stack)
            if mode == "anomaly":
                assert is_anomaly_enabled() is inside and is_grad_enabled()
                assert _grad_of_x_squared() == 6.0
            elif mode == "no_grad":
                assert is_grad_enabled() is (not inside)
                x = Value(3.0)
                y = x * x
                assert y.requires_grad is (not inside)
                if not inside:
                    y.backward()
                    assert x.grad == 6.0
            else:
                assert is_grad_enabled()  # enable_grad inside no_grad
                assert _grad_of_x_squared() == 6.0
            log.append((name, i, inside))
            checked[i].wait(10)

    turn[0].set()
    _run_threads(lambda: worker("A"), lambda: worker("B"))
    assert len(log) == 2 * len(order)
    assert is_grad_enabled() and not is_anomaly_enabled() and not _value._slow


class _nested:
    """no_grad with enable_grad inside it, entered and left as one."""

    def __enter__(self):
        self.outer, self.inner = no_grad(), enable_grad()
        self.outer.__enter__()
        self.inner.__enter__()

    def __exit__(self, *exc):
        self.inner.__exit__(*exc)
        self.outer.__exit__(*exc)


def test_first_thread_leaving_first_does_not_turn_gradients_off_for_the_process():
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()

    def a():
        with no_grad():
            a_in.set()
            b_in.wait(10)
        a_out.set()
        assert is_grad_enabled()

    def b():
        a_in.wait(10)
        with no_grad():
            b_in.set()
            a_out.wait(10)
            assert not is_grad_enabled()
        assert is_grad_enabled()
    _run_threads(a, b)
    assert is_grad_enabled()


def test_generator_suspended_inside_no_grad_does_not_keep_the_mode_in_its_caller():
    def numbers():
        with no_grad():
            yield is_grad_enabled()
            yield is_grad_enabled()
        yield is_grad_enabled()

    gen = numbers()
    assert next(gen) is False
    assert is_grad_enabled()
    assert _grad_of_x_squared() == 6.0          # the caller records while gen is paused
    with no_grad():                              # the caller's own block, left before gen's
        assert next(gen) is False
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert next(gen) is True
    gen.close()
    assert is_grad_enabled() and not _value._slow


def test_generator_closed_while_suspended_inside_a_mode_leaves_no_mode_behind():
    def paused():
        with detect_anomaly():
            yield 1
    gen = paused()
    next(gen)
    assert not is_anomaly_enabled()
    del gen
    assert not is_anomaly_enabled() and not _value._slow


def test_evaluating_in_one_thread_while_training_in_another_gives_the_right_gradients():
    X = [[0.1 * i, -0.2 * i] for i in range(8)]
    y = [[0.3 * i] for i in range(8)]

    def grads(model):
        loss = sum(((model(x)[0] - t[0]) ** 2 for x, t in zip(X, y)), Value(0.0))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        return [p.grad for p in model.parameters()]

    trained = MLP(2, [4, 1], seed=1)
    expected = grads(MLP(2, [4, 1], seed=1))
    watcher = Trainer(MLP(2, [4, 1], seed=2), "mse", SGD(MLP(2, [4, 1], seed=2).parameters()))
    start = threading.Barrier(2)
    stop = threading.Event()
    results = []

    def train():
        start.wait(10)
        for _ in range(30):
            results.append(grads(trained))
        stop.set()

    def evaluate():
        start.wait(10)
        while not stop.is_set():
            watcher.evaluate(X, y)
    _run_threads(train, evaluate)
    assert len(results) == 30 and all(r == expected for r in results)


def test_trace_does_not_record_another_threads_guards_or_nodes():
    started, finish = threading.Event(), threading.Event()
    w = Value(0.5)

    def traced(w):
        started.set()
        finish.wait(10)
        return w * 2

    holder = {}

    def tracer_thread():
        holder["step"] = trace(traced, w)

    def other():
        started.wait(10)
        for _ in range(50):
            a, b = Value(1.0), Value(2.0)
            assert (a < b) and float(a * b) == 2.0
        finish.set()
    _run_threads(tracer_thread, other)
    step = holder["step"]
    assert step.stats["guards"] == 0
    assert step(1.5)[0] == 3.0


def _trainer():
    model = MLP(2, [4, 1], seed=3)
    return Trainer(model, "mse", SGD(model.parameters(), lr=0.05), progress=False)


_X = [[0.1 * i, 0.3 - 0.05 * i] for i in range(6)]
_Y = [[0.2 * i - 0.4] for i in range(6)]


def _loss_grads(model):
    for p in model.parameters():
        p.grad = 0.0
    loss = sum(((model(x)[0] - t[0]) ** 2 for x, t in zip(_X, _Y)), Value(0.0))
    loss.backward()
    return [p.grad for p in model.parameters()]


def _reference(moves):
    """Alone, one thread's trajectory: after each of its moves, (gradients, evaluation)."""
    trainer = _trainer()
    states = []
    for epochs in range(1, moves + 1):
        states.append((_loss_grads(trainer.model), trainer.evaluate(_X, _Y)))
        trainer.fit(_X, _Y, epochs=epochs)
    return states, [p.data for p in trainer.model.parameters()]


@pytest.mark.parametrize("order", ORDERS, ids="".join)
def test_two_threads_train_step_and_evaluate_with_no_grad_in_any_interleaving(order):
    """Each thread, at every move of either thread: steps its gradients, evaluates (which
    enters and leaves no_grad itself) and trains one epoch; its own no_grad is entered and
    left in the given interleaving.  Both trajectories equal a thread's run alone."""
    expected, final = _reference(len(order))
    turn = [threading.Event() for _ in range(len(order) + 1)]
    moved = [threading.Barrier(2) for _ in range(len(order))]
    results = {}

    def worker(name):
        trainer, states, block = _trainer(), [], None
        for i in range(len(order)):
            if order[i][0] == name:
                turn[i].wait(10)
                if order[i].endswith("+"):
                    block = no_grad()
                    block.__enter__()
                else:
                    block.__exit__(None, None, None)
                    block = None
                turn[i + 1].set()
            else:
                turn[i + 1].wait(10)
            if block is not None:  # inside this thread's no_grad: nothing is recorded
                assert not is_grad_enabled()
                assert not (trainer.model.parameters()[0] * 2).requires_grad
                with enable_grad():
                    states.append((_loss_grads(trainer.model), trainer.evaluate(_X, _Y)))
                    trainer.fit(_X, _Y, epochs=i + 1)
            else:
                assert is_grad_enabled()
                states.append((_loss_grads(trainer.model), trainer.evaluate(_X, _Y)))
                trainer.fit(_X, _Y, epochs=i + 1)
            moved[i].wait(10)
        results[name] = states, [p.data for p in trainer.model.parameters()]

    turn[0].set()
    _run_threads(lambda: worker("A"), lambda: worker("B"))
    assert results["A"] == results["B"] == (expected, final)


def test_generator_entering_no_grad_through_an_exit_stack_does_not_keep_it_in_its_caller():
    import contextlib

    def numbers():
        with contextlib.ExitStack() as stack:
            stack.enter_context(no_grad())
            yield is_grad_enabled()

    gen = numbers()
    assert next(gen) is False
    assert is_grad_enabled() and _grad_of_x_squared() == 6.0
    gen.close()
    assert not _value._slow


def test_modes_are_per_asyncio_task():
    import asyncio

    async def quiet(started, done):
        with no_grad():
            started.set()
            await done.wait()
            return is_grad_enabled()

    async def busy(started, done):
        await started.wait()
        grad = is_grad_enabled(), _grad_of_x_squared()
        done.set()
        return grad

    async def both():
        started, done = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(quiet(started, done), busy(started, done))
    assert asyncio.run(both()) == [False, (True, 6.0)]
