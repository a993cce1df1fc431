"""Sum-chain fusion: long sums whose partial sums feed nothing else become one entry.

A neuron's ``b + Σ wᵢxᵢ`` or a loss summed over a batch is a chain of ``add`` nodes, each
partial sum used only by the next.  Fused, it runs as one ``sum(map(mul, w, x), b)``: the same
multiplications and additions in the same order, without storing the partial sums nobody
reads (a plain term ``t`` becomes ``t·1.0 = t``, exact).  Fusion needs the batched ``add`` and
``mul`` forms (:mod:`autograd.replay.rules`); without them nothing is fused.

>>> from autograd import Value
>>> w = [Value(float(i)) for i in range(5)]
>>> out = sum((wi * wi for wi in w), Value(0.5))
>>> from autograd.graph import topological_order
>>> nodes = topological_order(out)
>>> par = {id(v): v.parents for v in nodes}
>>> chains, absorbed = sum_chains(nodes, [v.op for v in nodes], par, out, [], ())
>>> [(init.data, len(terms)) for init, terms in chains.values()], len(absorbed)
([(0.5, 5)], 9)
"""

from __future__ import annotations

from ..ops import ADD, MUL
from ..value import Value
from .args import map_items
from .rules import SWAP_MUL, UNIT_ADD

__all__ = ["MIN_CHAIN", "sum_chains"]

MIN_CHAIN = 4  # sums of at least this many additions run as one fused entry


def sum_chains(nodes: list, ops: list, par: dict, out: Value, guards: list, aux: tuple
               ) -> tuple[dict, dict]:
    """Find long sums ``((init + t₁) + t₂) + …`` whose partial sums feed nothing else.

    ``nodes`` are in topological order, ``ops`` their ``v.op``, ``par`` maps ``id(v)`` to
    ``v.parents``.  Returns ``{id(last add): (init, terms)}`` — a term is ``(a, b)`` for a
    product ``a·b`` used only by the sum, else ``(t,)`` — and the ids of the nodes the fused
    sums compute internally (partial sums and products: their values are read by no local
    rule, since ``add`` needs none and ``mul`` reads its operands).  The output, guard operands
    and aux values are never absorbed: someone reads them.
    """
    if not (UNIT_ADD and SWAP_MUL):
        return {}, {}
    uses: dict[int, int] = {}
    for v in nodes:
        for p in par[id(v)]:
            uses[id(p)] = uses.get(id(p), 0) + 1
    pinned = {id(out): True}
    for guard in guards:
        pinned[id(guard.a)] = pinned[id(guard.b)] = True
    map_items(aux, lambda x: pinned.__setitem__(id(x), True))

    def private(v: Value) -> bool:
        return uses.get(id(v)) == 1 and id(v) not in pinned

    open_chains: dict[int, tuple] = {}  # id(last add so far) -> (init, [links])
    for v, op in zip(nodes, ops):
        if op is not ADD:
            continue
        a, b = par[id(v)]
        if id(a) in open_chains and private(a):
            init, links = open_chains.pop(id(a))
            links.append((a, b))
        elif id(b) in open_chains and private(b):
            init, links = open_chains.pop(id(b))
            links.append((b, a))
        else:
            init, links = a, [(None, b)]
        open_chains[id(v)] = (init, links)
    chains: dict[int, tuple] = {}
    absorbed: dict[int, bool] = {}
    for end, (init, links) in open_chains.items():
        if len(links) < MIN_CHAIN:
            continue
        terms = []
        for partial, t in links:
            if partial is not None:
                absorbed[id(partial)] = True
            if t.op is MUL and private(t):
                absorbed[id(t)] = True
                terms.append(par[id(t)])
            else:
                terms.append((t,))
        chains[end] = (init, terms)
    return chains, absorbed

