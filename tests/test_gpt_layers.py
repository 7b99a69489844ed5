"""The layer view of one position of a GPT: Linear, RMSNorm, each attention head's channels,
the MLP block and the loss are one node each, and backprop through the collapsed graph gives the
same gradients as through the real one (the group nodes' partials are the chain rule inside).
The stepper page opens on that view."""

from __future__ import annotations

from collections import Counter

import autograd
from nn.gpt import GPT
from viz import stepper
from viz.layers import collapse

TOKENS = [5, 1, 3, 0, 5]


def tiny() -> GPT:
    return GPT(vocab_size=6, n_embd=4, n_head=2, block_size=5, seed=0)


def test_one_position_collapses_to_the_blocks():
    model = tiny()
    loss = model.loss_at(TOKENS, 0)
    kinds = Counter(node.op for node in autograd.topological_order(collapse(loss)))
    # q, k, v and wo (4 channels each) and lm_head (6); fc1 and fc2 are inside the MLP block
    assert kinds["linear"] == 4 * 4 + 6
    assert kinds["rmsnorm"] == 3 * 4                  # norm0, h0.norm1, h0.norm2
    assert kinds["head"] == 4                         # 2 heads x 2 channels
    assert kinds["mlp"] == 4
    assert kinds["softmax_cross_entropy"] == 1
    assert not kinds["dot"] and not kinds["exp"]      # nothing left expanded inside a block


def test_the_collapsed_graph_backpropagates_like_the_real_one():
    model = tiny()
    loss = model.loss_at(TOKENS, 2)                   # reads the keys of positions 0 and 1
    drawn_graph = collapse(loss)
    # the view's inputs: the embedding rows read (a block's weights sit inside its node)
    leaves = [v for v in autograd.topological_order(drawn_graph) if not v.parents]
    assert {v.name.split("[")[0] for v in leaves} == {"wte", "wpe"} and len(leaves) == 3 * 2 * 4
    real = autograd.grad(loss, leaves)
    drawn = autograd.grad(drawn_graph, leaves)
    for a, b in zip(real, drawn):
        assert abs(a - b) <= 1e-12 * max(1.0, abs(a))
    assert any(abs(a) > 1e-6 for a in real)


def test_the_stepper_opens_on_the_layer_view():
    model = tiny()
    loss = model.loss_at(TOKENS, 0)
    loss.backward()
    page = stepper(loss, collapse=True, lang="ja")
    assert "アテンションヘッド" in page._repr_html_()
