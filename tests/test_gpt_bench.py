"""bench_gpt's own pieces: the plain copy holds the nn model's weights, the plain minimal-Value
step and the nn step give the same losses, the 1,000-step run's code works on a few steps, and
`python -m bench gpt` is a part. No timings are asserted here."""

from __future__ import annotations

from autograd import Value
from bench import bench_gpt
from bench.__main__ import parse
from bench.bench_microgpt import Config, MinimalValue
from nn.optim import Adam

TINY = Config(n_embd=4, n_head=2, block_size=6, vocab_size=27)


def test_plain_copy_holds_the_nn_models_weights():
    model = bench_gpt.nn_model(TINY)
    copy = bench_gpt.plain_copy(model, MinimalValue)
    assert [p.data for p in copy.params] == [p.data for p in model.parameters()]
    assert copy.config == TINY


def test_plain_and_nn_steps_give_the_same_losses():
    tok, docs = bench_gpt.documents(["anna", "bob", "carla", "dave"])
    config = Config(n_embd=4, n_head=2, block_size=6, vocab_size=tok.vocab_size)
    model = bench_gpt.nn_model(config, seed=1)
    copy = bench_gpt.plain_copy(model, MinimalValue)
    optimizer = Adam(model.parameters(), bench_gpt.LR, bench_gpt.BETA1, bench_gpt.BETA2)
    for step in range(4):
        a = bench_gpt.plain_step(copy, docs[step], step, 4)
        b = bench_gpt.nn_step(model, optimizer, docs[step], step, 4)
        assert abs(a - b) <= 1e-12 * abs(a)


def test_full_run_on_a_few_steps_reports_names_and_plain_losses(capsys):
    result = bench_gpt.full_run(steps=3, with_plain=True, samples=2)
    assert len(result["losses"]) == len(result["plain"]) == 3
    assert max(abs(a - b) / a for a, b in zip(result["losses"], result["plain"])) <= 1e-12
    assert len(result["names"]) == 2 and all(isinstance(n, str) for n in result["names"])
    bench_gpt.report_run(result)
    assert "generated" in capsys.readouterr().out


def test_gpt_is_a_bench_part():
    assert parse(["gpt", "--quick"])[0].parts == ["gpt"]
    assert "gpt" in parse([])[0].parts
    assert isinstance(bench_gpt.nn_model(TINY).parameters()[0], Value)
