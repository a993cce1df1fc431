"""The worked example of the seeds: e = (a + b)(b + 1) at a = 2, b = 1."""

from proof_helpers import worked_example as make


def test_worked_example_values_and_gradients():
    a, b, c, d, e = make()
    e.backward()
    assert e.data == 6.0
    assert (a.grad, b.grad, c.grad, d.grad, e.grad) == (2.0, 5.0, 2.0, 3.0, 1.0)


def test_b_receives_one_contribution_per_path():
    a, b, c, d, e = make()
    sent_to_b = [s for step in e.backward_steps()
                 for p, s in zip(step.node.parents, step.sent) if p is b]
    assert sorted(sent_to_b) == [2.0, 3.0]  # 1·2 via c and 1·3 via d
    assert b.grad == 5.0
