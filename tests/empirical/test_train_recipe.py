"""empirical.train.recipe: the one training recipe (Recipe, make_model) and the one optimiser
builder (make_optimizer) of the experiments."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from boolsens import BoolsensError  # noqa: E402
from empirical.train.recipe import Recipe, make_model, make_optimizer  # noqa: E402


def test_recipe_refuses_an_unknown_init():
    with pytest.raises(BoolsensError, match=r"init='xavier' must be one of \('torch-encoder', 'default'\)"):
        Recipe(init="xavier")


def test_make_model_initialises_attention_as_the_recipe_says():
    enc = make_model(4, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0)
    own = make_model(4, Recipe(d_model=8, n_heads=1, d_mlp=None, init="default"), seed=0)
    assert float(enc.blocks[0].attn.qkv.bias.detach().abs().sum()) == 0.0      # nn.MultiheadAttention's zero biases
    assert float(own.blocks[0].attn.qkv.bias.detach().abs().sum()) > 0.0       # the model's own (uniform) init
    assert enc.cfg.d_mlp == 8 and own.cfg.d_mlp is None
    # the same seed gives the same model; the global generator is reseeded, not consumed
    again = make_model(4, Recipe(d_model=8, n_heads=1, d_mlp=8), seed=0)
    assert all(torch.equal(a, b) for a, b in zip(enc.parameters(), again.parameters()))


@pytest.mark.parametrize("name, cls", [("adamw", "AdamW"), ("adam", "Adam"), ("sgd", "SGD")])
def test_make_optimizer_builds_each_kind_with_its_settings(name, cls):
    params = torch.nn.Linear(2, 1).parameters()
    opt = make_optimizer(params, name, lr=0.1, weight_decay=0.5, betas=(0.8, 0.9), momentum=0.7)
    assert type(opt).__name__ == cls
    assert opt.defaults["lr"] == 0.1 and opt.defaults["weight_decay"] == 0.5
    if name == "sgd":
        assert opt.defaults["momentum"] == 0.7
    else:
        assert opt.defaults["betas"] == (0.8, 0.9)


def test_make_optimizer_refuses_an_unknown_kind():
    with pytest.raises(BoolsensError, match=r"optimizer='lion' must be one of \('adamw', 'adam', 'sgd'\)"):
        make_optimizer(torch.nn.Linear(2, 1).parameters(), "lion", lr=0.1)
