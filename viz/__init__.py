"""viz: pictures of computational graphs, step-by-step backprop, and training plots.

Read in this order:
1. `labels.py`  numbers, symbols, safe escaping, and the words of the pictures in English and
   Japanese (`lang="ja"` on draw_graph, render, backward_frames, stepper and every plot_*);
   `fonts.py` the font lists that cover Japanese, and a warning when no such font is installed
2. `scene.py`   a graph's shape, read from the Values' public fields, and what one picture shows
3. `draw.py`    `draw_graph`: values (black), gradients (red), local partials on edges (blue)
4. `render.py`  `render` to svg/png/pdf, `backward_frames`: forward then backward, step by step
   (`layout.py`: the frames laid out once, drawn many times)
5. `plots.py`   matplotlib plots (activations, training history, decision boundary, ...);
   `book_plots.py` the book's figures: a descent path over contour lines, the optimizers side
   by side, each layer's activation histograms, a function with its higher-order derivatives;
   `gpt_plots.py` a GPT's attention weights per head and its loss curve
6. `stepper.py` `stepper`: one self-contained web page that steps through backprop (with
   `stepper.html`, `stepper.css`, and `stepper.js`, whose rule table mirrors autograd/rules.py)
7. `presets.py` the book's worked examples (chapter 5's shopping graphs), ready to draw
8. `formula.py` and `cli.py`: `python -m viz "1/(1+exp(-x))" --at x=0.5 -o sigmoid.svg`

Importing viz loads graphviz (the Python package) but never matplotlib: plots import it lazily.
Graphviz's dot runs with a time limit (`timeout=`, 10 s by default); past it, RenderTimeout.
"""

from . import presets
from .draw import draw_graph
from .book_plots import (plot_activation_histograms, plot_derivatives, plot_descent_path,
                         plot_optimizer_paths)
from .plots import (plot_activations, plot_decision_boundary, plot_digit_grid,
                    plot_gradient_magnitudes, plot_history)
from .gpt_plots import plot_attention, plot_loss_curve
from .render import RenderTimeout, backward_frames, render
from .stepper import Stepper, stepper

__all__ = [
    "presets", "draw_graph", "render", "backward_frames", "RenderTimeout", "stepper", "Stepper",
    "plot_activations", "plot_history", "plot_decision_boundary", "plot_digit_grid",
    "plot_gradient_magnitudes", "plot_descent_path", "plot_optimizer_paths",
    "plot_activation_histograms", "plot_derivatives", "plot_attention", "plot_loss_curve",
]
