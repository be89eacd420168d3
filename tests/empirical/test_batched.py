"""Training several seeds at once (empirical.train.batched) equals training each seed alone, up to
float rounding: the optimiser on stacked tensors is K independent optimisers."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from empirical.train.batched import train_batched  # noqa: E402
from empirical.models import build_model  # noqa: E402


def _model(seed: int, kind: str):
    torch.manual_seed(seed)
    if kind == "transformer":
        return build_model("transformer", 5, d_model=8, n_heads=2)
    return build_model("mlp", 5, d_mlp=16, n_layers=2)


#: SGD for the transformer: its key biases get gradients that are 0 in exact arithmetic (softmax is
#: invariant to them), and Adam normalises that rounding noise into full-size steps of arbitrary
#: sign, so Adam on it differs between any two summation orders; the MLP has no such parameter
OPTIMIZERS = {"transformer": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9),
              "mlp": lambda ps: torch.optim.AdamW(ps, lr=1e-2, weight_decay=0.1)}


def _batches(seed: int, steps: int):
    g = torch.Generator().manual_seed(100 + seed)
    xs = [torch.randint(0, 2, (16, 5), generator=g) for _ in range(steps)]
    return xs, [(x.sum(1) % 2).float() for x in xs]


@pytest.mark.parametrize("kind", ["transformer", "mlp"])
def test_batched_seeds_equal_one_at_a_time(kind):
    seeds, steps = [0, 1, 2], 8
    data = {s: _batches(s, steps) for s in seeds}
    alone = []
    for s in seeds:
        m = _model(s, kind)
        opt = OPTIMIZERS[kind](list(m.parameters()))
        m.train()
        for t in range(steps):
            x, y = data[s][0][t], data[s][1][t]
            opt.zero_grad()
            ((m(x) - y) ** 2).mean().backward()
            opt.step()
        alone.append(m)
    together = [_model(s, kind) for s in seeds]
    losses = train_batched(
        together, steps=steps,
        next_batch=lambda t: (torch.stack([data[s][0][t] for s in seeds]), torch.stack([data[s][1][t] for s in seeds])),
        loss_fn=lambda out, y: ((out - y) ** 2).mean(),
        make_optimizer=OPTIMIZERS[kind])
    assert len(losses) == 3 and all(v == v for v in losses)
    for a, b in zip(alone, together):
        for (na, pa), (nb, pb) in zip(a.named_parameters(), b.named_parameters()):
            assert na == nb
            torch.testing.assert_close(pa, pb, rtol=1e-4, atol=1e-5)
    # the seeds really differ (no weights were shared)
    first = [p for p in together[0].parameters()][-1]
    second = [p for p in together[1].parameters()][-1]
    assert not torch.allclose(first, second)


def test_models_must_share_an_architecture():
    from boolsens import BoolsensError

    with pytest.raises(BoolsensError, match="one architecture"):
        train_batched([torch.nn.Linear(2, 1), torch.nn.Linear(2, 1).double().to(torch.float32), torch.nn.ReLU()],
                      steps=1, next_batch=lambda t: (None, None), loss_fn=None, make_optimizer=None)
