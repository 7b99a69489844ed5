"""A GPT that invents names: microgpt's model and recipe, from nn's blocks, on zerograd's Values.

    python -m demos.gpt               # 1,000 steps on 5,163 English first names (about 20 s)
    python -m demos.gpt --lang ja     # on 7,000+ Japanese given names in katakana (ipadic)

One layer, 16 channels, 4 attention heads, a context of 16 characters: 4,192 weights for the
English names. Each step reads one name, one character at a time, and learns to predict the
next one (the loss is -log of the probability it gave the right character); Adam moves the
weights, with a learning rate decaying linearly to 0. Then the model makes up new names, one
character at a time, and draws under out/: the loss curve, the attention weights of each head
over a name, and the layer view of one position in a small GPT of the same kind (Linear,
RMSNorm, each attention head, the MLP block and the loss as one node each), in the language of
--lang. --steps, --samples and --temperature change the run.

Read next: `nn/gpt.py` (the blocks), `viz/gpt_plots.py` (the plots), notebook 08.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from nn import data
from nn.gpt import GPT, train_gpt
from viz.labels import CLI_TEXT, words

NAMES = {"en": data.names, "ja": data.japanese_names}


def load(lang: str, seed: int = 42) -> tuple[list[str], data.CharTokenizer, list[list[int]]]:
    """The names of lang (shuffled as microgpt does), their tokenizer and their token lists."""
    names = NAMES[lang]()
    random.Random(seed).shuffle(names)
    tok = data.CharTokenizer(names)
    return names, tok, [[tok.bos, *tok.encode(name), tok.bos] for name in names]


class Progress:
    """A tqdm bar with the loss (in a terminal), else a line every `every` steps, in lang."""

    def __init__(self, steps: int, every: int = 100, lang: str = "en") -> None:
        self.steps, self.every, self.bar, self.text = steps, every, None, words(lang)
        if sys.stderr.isatty():
            try:
                from tqdm import tqdm
                self.bar = tqdm(total=steps, desc=self.text["gpt demo bar"], unit="step")
            except ImportError:
                pass

    def __call__(self, step: int, loss: float) -> None:
        if self.bar is not None:
            self.bar.update(1)
            self.bar.set_postfix(loss=f"{loss:.4f}")
            if step + 1 == self.steps:
                self.bar.close()
        elif (step + 1) % self.every == 0 or step + 1 == self.steps:
            print(self.text["gpt demo step"].format(step=step + 1, steps=self.steps, loss=loss),
                  flush=True)


def draw(model: GPT, tok: data.CharTokenizer, losses: list[float], name: str, out: Path,
         lang: str, layers: bool = True) -> list[Path]:
    """The loss curve, the attention weights over `name` and (if layers) the layer view of its
    first position, in a small GPT; the paths written."""
    from viz import draw_graph
    from viz.gpt_plots import plot_attention, plot_loss_curve
    from viz.labels import words
    paths = [out / f"gpt_{lang}_{what}" for what in ("loss.png", "attention.png", "layers.svg")]
    plot_loss_curve(losses, paths[0], lang, what=words(lang)[f"gpt {lang} names"])
    tokens = [tok.bos, *tok.encode(name), tok.bos]
    model.loss(tokens)                            # the attention weights of this name
    labels = ["<bos>", *name][:model.block_size]
    plot_attention(model.attention_weights(), labels, paths[1], lang, name=name)
    if not layers:
        return paths[:2]
    # The layer view of one position: at 16 channels every Linear node has 16 arrows in, too
    # many to read, so it is drawn for a small GPT of the same kind (4 channels, 2 heads).
    small = GPT(tok.vocab_size, n_embd=4, n_head=2, block_size=model.block_size, seed=0)
    loss = small.loss_at(tokens, 0)               # one position: the first character
    loss.backward()
    draw_graph(loss, collapse=True, lang=lang).render(paths[2].with_suffix(""), format="svg",
                                                      cleanup=True)
    return paths


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line's options, checked."""
    parser = argparse.ArgumentParser(prog="python -m demos.gpt", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lang", choices=sorted(NAMES), default="en",
                        help="en: English names; ja: Japanese names (and Japanese pictures)")
    parser.add_argument("--steps", type=int, default=1000, help="training steps (default 1000)")
    parser.add_argument("--samples", type=int, default=20, help="names to make up (default 20)")
    parser.add_argument("--temperature", type=float, default=0.5,
                        help="below 1: safer names; above 1: wilder ones (default 0.5)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="where pictures go")
    parser.add_argument("--no-layers", action="store_true",
                        help="skip the layer view (Graphviz takes seconds on a large one)")
    args = parser.parse_args(argv)
    if args.steps < 1 or args.samples < 1 or not args.temperature > 0:
        parser.error("--steps and --samples must be at least 1, --temperature above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    """Train on the names, print made-up ones, draw the pictures; 0 on success."""
    args = parse(argv)
    try:
        names, tok, docs = load(args.lang)
    except FileNotFoundError as error:
        print(words(args.lang)["gpt demo no ipadic"].format(error=error), file=sys.stderr)
        return 1
    model, text = GPT(tok.vocab_size, seed=0), words(args.lang)
    print(text["gpt demo setup"].format(names=len(names), characters=tok.vocab_size - 1,
                                        model=model, weights=len(model.parameters())))
    start = time.perf_counter()
    losses = train_gpt(model, docs, args.steps, callback=Progress(args.steps, lang=args.lang))
    print(text["gpt demo trained"].format(steps=args.steps, seconds=time.perf_counter() - start,
                                          last=min(50, args.steps),
                                          loss=sum(losses[-50:]) / len(losses[-50:])))
    made_up = [tok.decode(s) for s in model.generate(args.samples, args.temperature, seed=0)]
    print(text["gpt demo made up"].format(temperature=args.temperature, names=", ".join(made_up)))
    shown = next((n for n in names if 5 <= len(n) <= 8), names[0])     # a name to look into
    for path in draw(model, tok, losses, shown, args.out, args.lang, not args.no_layers):
        print(CLI_TEXT[args.lang]["wrote"].format(path=path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
