"""The text inside a drawing: numbers, batch summaries, operator symbols, and safe escaping.

Graphviz reads our labels as HTML-like text, so every piece of user text (a Value's name) goes
through `escape`: it is shown literally and can never close the label or inject DOT. Text sent
to a terminal goes through `visible`, which shows control characters as escapes (\\x1b).
`TEXT` holds the words a learner reads in the pictures (legend, notes, frame titles, plot
labels), in English and Japanese; `words(lang)` picks one table.

Read next: `scene.py` (what one picture shows), then `draw.py` (the picture itself).
"""

from __future__ import annotations

import numpy as np

from autograd.rules import PRIMITIVES
# The words a learner reads in the drawings, the frames and the plots, one table per language
# with the same keys; {braces} are filled in by the code. Numbers and math are the same in both.
TEXT = {
    "en": {
        "lang": "en",
        "data": "data",
        "grad": "grad",
        "legend data": "forward value",
        "legend grad": "d output / d value",
        "legend partial name": "∂ on an edge",
        "legend partial": "local partial d(op)/d(operand)",
        "legend branch name": "orange",
        "legend branch": "used twice or more, grads add",
        "legend repeat": "the value enters the op twice (x*x), each time with this partial",
        "legend copy name": "dashed box",
        "legend copy": "the same value again, drawn next to a far use",
        "used": "used {count}×: grads add",
        "copy": "same value, used again here",
        "input": "input",
        "forward": "Forward pass, step {step} of {steps}: {what}",
        "seed": "Backward pass, step 1: start with d output / d output = {seed}",
        "backward": "Backward pass, step {step} of {steps}: {what}",
        "edge": "grad of {who} += ∂ {partial} × upstream grad {upstream} = {added}",
        "edge use": " (use {use} of {uses} on the ×{uses} arrow)",
        "value": "value {position}",
        "named": "'{name}'",
        "slope title": "d {name}(x) / dx  (engine backward)",
        "slope max": "max {top:g} at x = 0",
        "step slope": "0 everywhere (undefined at 0):\nno gradient to learn from",
        "epoch": "epoch",
        "loss": "loss",
        "accuracy": "accuracy",
        "feature 1": "feature 1",
        "feature 2": "feature 2",
        "decision boundary": "decision boundary",
        "digits title": "predicted (true); red = wrong",
        "digits labels title": "the label above each image",
        "classes title": ("above: the class the network predicted (green = right, red = wrong); "
                          "below: the true class"),
        "history loss": "training loss",
        "history accuracy": "training accuracy",
        "history val_accuracy": "test accuracy",
        "class T-shirt/top": "T-shirt/top",
        "class Trouser": "Trouser",
        "class Pullover": "Pullover",
        "class Dress": "Dress",
        "class Coat": "Coat",
        "class Sandal": "Sandal",
        "class Shirt": "Shirt",
        "class Sneaker": "Sneaker",
        "class Bag": "Bag",
        "class Ankle boot": "Ankle boot",
        "fashion setup": "{model}, {optimizer}(lr={lr:g}), minibatches of {batch}",
        "fashion data": "training on {train}; testing on {test}",
        "fashion training": "training",
        "fashion test": "test",
        "fashion all": "all {n} {what} photos",
        "fashion subset": ("{k} of {n} {what} photos (a stratified subset: the first {each} of "
                           "each class)"),
        "fashion epoch": "epoch {epoch:2d}  loss {loss:.4f}  test accuracy {accuracy:.4f}",
        "fashion trained": "trained in {seconds:.1f} s",
        "fashion mistakes": ("{wrong} of {n} test photos misclassified; the most frequent "
                             "mistakes:"),
        "fashion confusion": "{true} taken for {predicted}: {count} times",
        "layer": "layer (1 = next to the input)",
        "mean gradient": "mean |gradient| (log scale)",
        "gradient per layer": "gradient magnitude per layer",
        "apple": "apple",
        "apple num": "apple_num",
        "apple price": "apple_price",
        "orange": "orange",
        "orange num": "orange_num",
        "orange price": "orange_price",
        "all price": "all_price",
        "tax": "tax",
        "price": "price",
        # the book's figures (viz/book_plots.py) and the demos that print them
        "descent title": "Gradient descent on {formula}",
        "descent subtitle": "learning rate {lr:g}, {steps} steps from {start}",
        "path": "the point after each step",
        "start": "start {point}",
        "minimum": "minimum {point}",
        "contour": "contour lines: f is constant along each",
        "optimizers title": "{steps} steps on {formula} from {start}",
        "optimizer panel": "{name}  (learning rate {lr:g})",
        "histograms title": "Activations of each layer: {samples} inputs through {layers} layers "
                            "of {units} units (no bias)",
        "layer n": "layer {layer}",
        "activation value": "activation",
        "count": "count",
        "bar cut": "this bar: {share:.0%}\nof all (cut off)",
        "init std": "{activation}\nweight std {std:g}",
        "init xavier": "{activation}\nXavier: std 1/√n",
        "init he": "{activation}\nHe: std √(2/n)",
        "step": "step",
        "final point": "{name:>9}: after {steps} steps at ({x:.4f}, {y:.4f}), f = {f:.3g}",
        "closed form": "closed form: x_k = x_0 · (1 − 2·lr)^k",
        "shopping apples": "2 apples at 100 each, consumption tax 1.1 (figure 5-16)",
        "shopping oranges": "2 apples at 100 and 3 oranges at 150, tax 1.1 (figure 5-17)",
        "forward values": "forward: values",
        "backward gradients": "backward: d price / d each input",
        "activation summary": "mean and std of each layer's activations",
        "kind sigmoid": "sigmoid", "kind tanh": "tanh", "kind relu": "ReLU",
        "kind softmax": "softmax", "kind log_softmax": "log softmax", "kind neuron": "neuron",
        "kind layer": "layer", "kind mse_loss": "mean squared error",
        "kind cross_entropy": "cross-entropy",
        "kind softmax_cross_entropy": "softmax with loss",
        "legend group name": "rounded box",
        "legend group": "a composite drawn as one node: its local partial, and its rule",
        # higher-order derivatives (demos/higher_order.py, book_plots.plot_derivatives)
        "derivatives title": "tanh and its first four derivatives, each by zerograd's\n"
                             "grad(..., create_graph=True) on the one before",
        "derivative 0": "y = tanh(x)",
        "derivative 1": "1st derivative y′", "derivative 2": "2nd derivative y″",
        "derivative 3": "3rd derivative y‴", "derivative 4": "4th derivative y⁗",
        "derivatives at": "tanh and its derivatives at a few points (zerograd)",
        "graph nodes": "the graph of {what} at x = {at:g}: {nodes} nodes",
        "tanh expanded": "tanh stays expanded in the derivative's graph: that graph reuses "
                         "tanh's inner nodes (e^-2|x|, 1 + e^-2|x|), so it cannot be one box",
        "newton title": "Newton's method on {formula} from x = {start:g}: x ← x − f′(x)/f″(x)",
        "iteration": "iteration",
        "newton update": "f′/f″",
        "newton stop": "stopped after {n} iterations (|f′/f″| < {tolerance:g} or {limit} "
                       "iterations)",
        # bundles: the weight matrix between two layers as one box (viz/bundles.py)
        "bundle weights": "weights",
        "bundle legend name": "W2 16×16",
        "bundle legend": "the weights between two layers as one box (row i: neuron i); heat "
                         "map red > 0, blue < 0, white 0",
        # chapters 6-7 (viz/book_plots.py: demos.batchnorm, demos.dropout, demos.cnn)
        "bn title": "Training with and without Batch Normalization: {samples} samples, "
                    "{layers} hidden layers of {units}",
        "bn panel": "initial weights: std {scale:g}",
        "bn with": "with Batch Normalization",
        "bn without": "without",
        "bn epochs": "epochs",
        "bn accuracy": "training accuracy",
        "dropout title": "Overfitting and two cures: {samples} training samples, {layers} "
                         "hidden layers of {units}",
        "dropout plain": "no regularisation",
        "dropout decay": "weight decay λ = {decay:g}",
        "dropout dropout": "Dropout, ratio {ratio:g}",
        "dropout train": "training data",
        "dropout test": "test data",
        "dropout accuracy": "accuracy",
        "dropout gap": "gap at the end: {gap:.2f}",
        "cnn filters title": "The first layer's {filters} filters ({size}×{size}), before and "
                             "after training",
        "cnn before": "before training (random)",
        "cnn after": "after training",
        "cnn loss title": "SimpleConvNet on Fashion-MNIST: the loss of each minibatch",
        "cnn steps": "training steps (minibatches of {batch})",
        "cnn loss": "loss",
        "cnn mean loss": "mean of {every} steps",
        "kind batchnorm": "BatchNorm",
        # the GPT (nn/gpt.py; viz/gpt_plots.py, demos/gpt.py, notebook 08)
        "gpt attention title": "Attention weights of each head over \"{name}\" (layer {layer})",
        "gpt head": "head {head}",
        "gpt query": "position that reads (query)",
        "gpt key": "position it attends to (key)",
        "gpt weight": "attention weight",
        "gpt loss title": "A GPT learning {what}: the loss of each step",
        "gpt steps": "training step (one name each)",
        "gpt loss": "loss",
        "gpt mean loss": "mean of {every} steps",
        "gpt en names": "English names",
        "gpt ja names": "Japanese names",
        "gpt generated": "names the model made up (temperature {temperature:g})",
        "kind linear": "Linear", "kind rmsnorm": "RMSNorm", "kind head": "attention head",
        "kind mlp": "MLP block",
        # the tour and the demos it leads to (demos/__main__.py, activations, derivatives,
        # sigmoid_graph, vanishing_gradients, xor, moons, spiral, digits, mnist, gpt: --lang)
        "tour sigmoid": "The sigmoid graph, node by node",
        "tour rules": "Every rule, checked",
        "tour classifier": "A classifier, trained live",
        "tour gpt": "A GPT that invents names",
        "tour done": "All pictures are under out/.",
        "tour failed": "{failures} step(s) failed.",
        "activations gradient": "gradient",
        "activations largest": "The largest derivatives: sigmoid 0.25 and tanh 1, both at x = 0.",
        "rules rule": "rule", "rules derivative": "derivative", "rules at": "at",
        "rules engine": "engine", "rules numerical": "numerical", "rules closed": "closed form",
        "rules result": "result", "rules pass": "pass", "rules fail": "FAIL",
        "rules log base": "log base",
        "rules all pass": "{count} derivatives: all pass",
        "rules some fail": "{count} derivatives: SOME FAIL",
        "sigmoid ok": "ok", "sigmoid yes": "yes", "sigmoid no": "NO",
        "sigmoid closed forms": "closed forms: dz/dx = z(1-z), dz/d(-1) = -(x+2)·z(1-z)",
        "sympy missing": "sympy is not installed (pip install sympy): symbolic check skipped",
        "sympy equals": "sympy: dz/dc at c=-1 = {derivative}  equals  -(x+2)·z(1-z)",
        "sympy differs": "sympy: dz/dc at c=-1 = {derivative}  DIFFERS FROM  -(x+2)·z(1-z)",
        "sigmoid frames": "wrote {count} frames to {folder}/ ({first} ... {last}) and the "
                          "animation {gif}",
        "sigmoid page": "wrote {page} (open it in a browser: step through backprop, change x, "
                        "take the quiz)",
        "vanishing title": "mean |gradient| of each layer's weights (layer 1 is next to the "
                           "input):",
        "vanishing layer": "layer",
        "vanishing dead": "no gradient at all: every unit of some layer is off (a dead relu "
                          "network)",
        "vanishing ratio": "layer 1 gets {ratio:.2g} × the gradient of layer {last}",
        "xor perceptron": "step perceptron, best of {count} weight settings: accuracy "
                          "{accuracy:.2f} (w0, w1, b = {weights})",
        "xor stuck": "its gradients (w0, w1, b) under the squared error: {gradients}: gradient "
                     "descent cannot move it",
        "xor says": "  xor{point} = {label}, the 2-4-1 network says {guess}",
        "moons setup": "{model}, {parameters} parameters, {points} training points",
        "moons step": "step {step:3d}  loss {loss:.4f}  accuracy {accuracy:.2f}",
        "moons trained": "trained {steps} steps in {seconds:.2f} s",
        "spiral trained": "{model}: {epochs} epochs in {seconds:.1f} s, final loss {loss:.4f}",
        "spiral training accuracy": "training accuracy {accuracy:.4f}",
        "digits setup": "{model}: {train} training and {test} test images",
        "digits wrong": "{wrong} of {n} test images misclassified",
        "mnist trained": "trained {epochs} epochs in {seconds:.1f} s",
        "mnist usage": "usage: python -m demos.mnist FOLDER: give the folder that holds the "
                       "MNIST files ({files})",
        "mnist missing": "demos.mnist: cannot read MNIST, missing in {folder}: {files}. Each "
                         "file may also end in .gz; nothing is downloaded.",
        "mnist no folder": "demos.mnist: cannot read MNIST, {folder} is not a folder; it should "
                           "hold {files}.",
        "mnist error": "demos.mnist: {error}",
        "gpt demo setup": "{names} names, {characters} characters; {model}: {weights} weights",
        "gpt demo bar": "training",
        "gpt demo step": "step {step:5d} / {steps}   loss {loss:.4f}",
        "gpt demo trained": "{steps} steps in {seconds:.1f} s; mean loss of the last {last} "
                            "steps {loss:.4f}",
        "gpt demo made up": "made up (temperature {temperature:g}): {names}",
        # the printout of lecture_mlp, batchnorm, dropout, cnn, weight_init and gpt's missing
        # ipadic (--lang); "fashion missing" / "fashion corrupt" come before nn.data's English
        # detail
        "lecture loss": "MLP(2, {layers}): loss {loss:.4g}",
        "bn table scale": "weight scale", "bn table with": "with BN", "bn table without": "without",
        "bn table note": "(training accuracy, epoch {epoch})",
        "dropout after": "after {epochs} epochs on {samples} photos:",
        "dropout row": "train {train:.3f}  test {test:.3f}  gap {gap:.3f}",
        "fashion missing": "{program}: {error}",
        "fashion corrupt": "{program}: {error}",
        "cnn bar": "training",
        "cnn progress": "step {step}/{steps}  loss {loss:.4f}",
        "cnn setup": "{model}: {parameters} parameters, each a Value; training on {train} photos, "
                     "testing on {test}",
        "cnn trained": "trained {steps} steps in {seconds:.0f} s",
        "cnn test accuracy": "test accuracy {accuracy:.4f} on {n} photos",
        "weight init time": "{setting}: {seconds:.1f} s",
        "gpt demo no ipadic": "{error}",
    },
    "ja": {
        "lang": "ja",
        "data": "値",
        "grad": "勾配",
        "legend data": "順伝播で求めた値",
        "legend grad": "勾配 d出力 / d値（逆伝播）",
        "legend partial name": "矢印の ∂",
        "legend partial": "局所的な微分 d(演算)/d(オペランド)",
        "legend branch name": "オレンジの枠",
        "legend branch": "2回以上使用。分岐: 勾配を足す",
        "legend repeat": "同じ値が演算に2回入る（x*x）。それぞれこの局所的な微分",
        "legend copy name": "破線の箱",
        "legend copy": "同じ値をもう一度、離れた使用先の隣に描いたもの",
        "used": "{count}回使用。分岐: 勾配を足す",
        "copy": "同じ値（ここでも使用）",
        "input": "入力",
        "forward": "順伝播、ステップ {step} / {steps}: {what}",
        "seed": "逆伝播、ステップ 1: d出力 / d出力 = {seed} から始める",
        "backward": "逆伝播、ステップ {step} / {steps}: {what}",
        "edge": "{who} の勾配 += 局所的な微分 {partial} × 上流の勾配 {upstream} = {added}",
        "edge use": "（×{uses} の矢印の {use} 回目の使用）",
        "value": "値 {position}",
        "named": "「{name}」",
        "slope title": "d {name}(x) / dx（エンジンの逆伝播）",
        "slope max": "x = 0 で最大 {top:g}",
        "step slope": "どこでも 0（0 では定義されない）:\n学習に使える勾配がない",
        "epoch": "エポック",
        "loss": "損失",
        "accuracy": "認識精度",
        "feature 1": "特徴量 1",
        "feature 2": "特徴量 2",
        "decision boundary": "決定境界",
        "digits title": "予測（正解）。赤 = 不正解",
        "digits labels title": "各画像の上はその正解ラベル",
        "classes title": ("上: ネットワークが予測したクラス（緑 = 正解、赤 = 不正解）、"
                          "下: 正解のクラス"),
        "history loss": "訓練データの損失",
        "history accuracy": "訓練データの認識精度",
        "history val_accuracy": "テストデータの認識精度",
        "class T-shirt/top": "Tシャツ/トップ",
        "class Trouser": "ズボン",
        "class Pullover": "プルオーバー",
        "class Dress": "ドレス",
        "class Coat": "コート",
        "class Sandal": "サンダル",
        "class Shirt": "シャツ",
        "class Sneaker": "スニーカー",
        "class Bag": "バッグ",
        "class Ankle boot": "アンクルブーツ",
        "fashion setup": "{model}、{optimizer}(lr={lr:g})、ミニバッチ {batch} 枚",
        "fashion data": "訓練：{train}。テスト：{test}",
        "fashion training": "訓練用",
        "fashion test": "テスト用",
        "fashion all": "{what}の写真 全 {n} 枚",
        "fashion subset": "{what}の写真 {n} 枚のうち {k} 枚（層化した部分集合：各クラスの最初の {each} 枚）",
        "fashion epoch": "エポック {epoch:2d}  損失 {loss:.4f}  テストデータの認識精度 {accuracy:.4f}",
        "fashion trained": "学習時間 {seconds:.1f} 秒",
        "fashion mistakes": "テスト用の写真 {n} 枚のうち {wrong} 枚を誤認識。多い間違い：",
        "fashion confusion": "{true}を{predicted}と間違えた：{count} 回",
        "layer": "層（1 = 入力の隣）",
        "mean gradient": "勾配の絶対値の平均（対数目盛）",
        "gradient per layer": "層ごとの勾配の大きさ",
        "apple": "りんご",
        "apple num": "りんごの個数",
        "apple price": "りんごの値段",
        "orange": "みかん",
        "orange num": "みかんの個数",
        "orange price": "みかんの値段",
        "all price": "合計",
        "tax": "消費税",
        "price": "支払金額",
        # the book's figures (viz/book_plots.py) and the demos that print them
        "descent title": "{formula} の勾配法（勾配降下法）",
        "descent subtitle": "学習率 {lr:g}、{start} から {steps} ステップ",
        "path": "各ステップで更新した点",
        "start": "初期値 {point}",
        "minimum": "最小値をとる点 {point}",
        "contour": "等高線: 線の上では f が一定",
        "optimizers title": "{formula} の最小化: {start} から {steps} ステップ",
        "optimizer panel": "{name}（学習率 {lr:g}）",
        "histograms title": "各層のアクティベーション分布: {samples} 個の入力、{units} ノード × "
                            "{layers} 層（バイアスなし）",
        "layer n": "{layer} 層目",
        "activation value": "アクティベーション",
        "count": "個数",
        "bar cut": "この棒: 全体の {share:.0%}\n（途中で切っています）",
        "init std": "{activation}\n重みの標準偏差 {std:g}",
        "init xavier": "{activation}\nXavier の初期値: 1/√n",
        "init he": "{activation}\nHe の初期値: √(2/n)",
        "step": "ステップ",
        "final point": "{name:>9}: {steps} ステップ後 ({x:.4f}, {y:.4f})、f = {f:.3g}",
        "closed form": "式で求めた値: x_k = x_0 · (1 − 2·学習率)^k",
        "shopping apples": "りんご 100 円を 2 個、消費税 1.1（図 5-16）",
        "shopping oranges": "りんご 100 円を 2 個、みかん 150 円を 3 個、消費税 1.1（図 5-17）",
        "forward values": "順伝播: 値",
        "backward gradients": "逆伝播: 支払金額の各入力についての微分",
        "activation summary": "各層のアクティベーションの平均と標準偏差",
        "kind sigmoid": "Sigmoid", "kind tanh": "tanh", "kind relu": "ReLU",
        "kind softmax": "Softmax", "kind log_softmax": "log Softmax", "kind neuron": "ニューロン",
        "kind layer": "層", "kind mse_loss": "2乗和誤差",
        "kind cross_entropy": "交差エントロピー誤差",
        "kind softmax_cross_entropy": "Softmax-with-Loss",
        "legend group name": "角の丸い箱",
        "legend group": "1 つのノードとして描いた関数（レイヤ）: その局所的な微分と式",
        # higher-order derivatives (demos/higher_order.py, book_plots.plot_derivatives)
        "derivatives title": "tanh とその 1〜4 階微分: どれも 1 つ前の関数を zerograd の\n"
                             "grad(..., create_graph=True) で微分して求めた",
        "derivative 0": "y = tanh(x)",
        "derivative 1": "1 階微分 y′", "derivative 2": "2 階微分 y″",
        "derivative 3": "3 階微分 y‴", "derivative 4": "4 階微分 y⁗",
        "derivatives at": "いくつかの点での tanh とその高階微分（zerograd）",
        "graph nodes": "x = {at:g} での {what} の計算グラフ: ノード {nodes} 個",
        "tanh expanded": "微分の計算グラフでは tanh を 1 つのノードにまとめられません: tanh の"
                         "内部のノード（e^-2|x|、1 + e^-2|x|）をそのグラフが使うため",
        "newton title": "{formula} のニュートン法（x = {start:g} から）: x ← x − f′(x)/f″(x)",
        "iteration": "反復",
        "newton update": "f′/f″",
        "newton stop": "{n} 回の反復で停止（|f′/f″| < {tolerance:g} または {limit} 回）",
        # bundles: the weight matrix between two layers as one box (viz/bundles.py)
        "bundle weights": "重み",
        "bundle legend name": "W2 16×16",
        "bundle legend": "2つの層の間の重みを 1 つの箱に（i 行目: ニューロン i）; 色 赤 > 0、"
                         "青 < 0、白 0",
        # chapters 6-7 (viz/book_plots.py: demos.batchnorm, demos.dropout, demos.cnn)
        "bn title": "Batch Normalization の有無による学習の違い: {samples} 個のデータ、"
                    "{units} ノードの隠れ層 {layers} 層",
        "bn panel": "重みの初期値の標準偏差 {scale:g}",
        "bn with": "Batch Normalization あり",
        "bn without": "なし",
        "bn epochs": "エポック",
        "bn accuracy": "訓練データの認識精度",
        "dropout title": "過学習とその対策: 訓練データ {samples} 個、{units} ノードの隠れ層 "
                         "{layers} 層",
        "dropout plain": "正則化なし",
        "dropout decay": "Weight decay λ = {decay:g}",
        "dropout dropout": "Dropout（比率 {ratio:g}）",
        "dropout train": "訓練データ",
        "dropout test": "テストデータ",
        "dropout accuracy": "認識精度",
        "dropout gap": "最後の差: {gap:.2f}",
        "cnn filters title": "1 層目の {filters} 個のフィルター（{size}×{size}）: 学習前と学習後",
        "cnn before": "学習前（ランダム）",
        "cnn after": "学習後",
        "cnn loss title": "Fashion-MNIST での SimpleConvNet: ミニバッチごとの損失",
        "cnn steps": "学習のステップ（{batch} 枚のミニバッチ）",
        "cnn loss": "損失",
        "cnn mean loss": "{every} ステップの平均",
        "kind batchnorm": "Batch Normalization",
        # GPT（nn/gpt.py、viz/gpt_plots.py、demos/gpt.py、ノートブック 08）
        "gpt attention title": "「{name}」に対する各ヘッドのアテンションの重み（第 {layer} 層）",
        "gpt head": "ヘッド {head}",
        "gpt query": "読んでいる位置（クエリ）",
        "gpt key": "注目する位置（キー）",
        "gpt weight": "アテンションの重み",
        "gpt loss title": "{what}を学ぶ GPT: ステップごとの損失",
        "gpt steps": "学習のステップ（1 ステップに名前 1 つ）",
        "gpt loss": "損失",
        "gpt mean loss": "{every} ステップの平均",
        "gpt en names": "英語の名前",
        "gpt ja names": "日本語の名前",
        "gpt generated": "モデルが作った名前（温度 {temperature:g}）",
        "kind linear": "Linear（全結合）", "kind rmsnorm": "RMSNorm", "kind head": "アテンションヘッド",
        "kind mlp": "MLP ブロック",
        # the tour and the demos it leads to (demos/__main__.py, activations, derivatives,
        # sigmoid_graph, vanishing_gradients, xor, moons, spiral, digits, mnist, gpt: --lang)
        "tour sigmoid": "シグモイドの計算グラフ、ノードごとに",
        "tour rules": "すべての規則を確かめる",
        "tour classifier": "分類器をその場で学習",
        "tour gpt": "名前を作る GPT",
        "tour done": "図はすべて out/ にあります。",
        "tour failed": "{failures} 個のステップが失敗しました。",
        "activations gradient": "勾配",
        "activations largest": "微分の最大値: sigmoid は 0.25、tanh は 1（どちらも x = 0 で）。",
        "rules rule": "規則", "rules derivative": "微分", "rules at": "入力",
        "rules engine": "逆伝播", "rules numerical": "数値微分", "rules closed": "式の値",
        "rules result": "結果", "rules pass": "一致", "rules fail": "不一致",
        "rules log base": "底つき log",
        "rules all pass": "{count} 個の微分: すべて一致",
        "rules some fail": "{count} 個の微分: 一致しないものがあります",
        "sigmoid ok": "一致", "sigmoid yes": "はい", "sigmoid no": "いいえ",
        "sigmoid closed forms": "式で求めた微分: dz/dx = z(1-z)、dz/d(-1) = -(x+2)·z(1-z)",
        "sympy missing": "sympy が入っていません（pip install sympy）: 記号微分での確認は"
                         "しません",
        "sympy equals": "sympy: c=-1 での dz/dc = {derivative}  は  -(x+2)·z(1-z) と等しい",
        "sympy differs": "sympy: c=-1 での dz/dc = {derivative}  は  -(x+2)·z(1-z) と異なる",
        "sigmoid frames": "{count} 枚のコマを {folder}/ に（{first} … {last}）、アニメーションを "
                          "{gif} に書き出しました",
        "sigmoid page": "{page} に書き出しました（ブラウザで開くと、逆伝播を一歩ずつ進め、x を"
                        "変え、クイズに答えられます）",
        "vanishing title": "各層の重みの勾配の絶対値の平均（1 層目が入力の隣）:",
        "vanishing layer": "層",
        "vanishing dead": "勾配がまったくない: ある層のユニットがすべて 0（死んだ relu の"
                          "ネットワーク）",
        "vanishing ratio": "1 層目の勾配は {last} 層目の {ratio:.2g} 倍",
        "xor perceptron": "ステップ関数のパーセプトロン、{count} 通りの重みで最良の認識精度 "
                          "{accuracy:.2f}（w0, w1, b = {weights}）",
        "xor stuck": "2乗和誤差の重み (w0, w1, b) についての勾配: {gradients}。勾配降下法では"
                     "動かせません",
        "xor says": "  xor{point} = {label}、2-4-1 のネットワークの答えは {guess}",
        "moons setup": "{model}、パラメータ {parameters} 個、訓練データ {points} 点",
        "moons step": "ステップ {step:3d}  損失 {loss:.4f}  認識精度 {accuracy:.2f}",
        "moons trained": "{steps} ステップの学習時間 {seconds:.2f} 秒",
        "spiral trained": "{model}: {epochs} エポックの学習時間 {seconds:.1f} 秒、最後の損失 "
                          "{loss:.4f}",
        "spiral training accuracy": "訓練データの認識精度 {accuracy:.4f}",
        "digits setup": "{model}: 訓練用の画像 {train} 枚、テスト用の画像 {test} 枚",
        "digits wrong": "テスト用の画像 {n} 枚のうち {wrong} 枚を誤認識",
        "mnist trained": "{epochs} エポックの学習時間 {seconds:.1f} 秒",
        "mnist usage": "使い方: python -m demos.mnist フォルダ: MNIST のファイル（{files}）の"
                       "あるフォルダを指定してください",
        "mnist missing": "demos.mnist: MNIST を読めません。{folder} にないファイル: {files}。"
                         "どれも .gz で終わっていてもかまいません。ダウンロードはしません。",
        "mnist no folder": "demos.mnist: MNIST を読めません。{folder} はフォルダではありません（"
                           "{files} のあるフォルダを指定してください）。",
        "mnist error": "demos.mnist: MNIST を読めません: {error}",
        "gpt demo setup": "名前 {names} 個、文字 {characters} 種類。{model}: 重み {weights} 個",
        "gpt demo bar": "学習",
        "gpt demo step": "ステップ {step:5d} / {steps}   損失 {loss:.4f}",
        "gpt demo trained": "{steps} ステップの学習時間 {seconds:.1f} 秒。最後の {last} ステップの"
                            "損失の平均 {loss:.4f}",
        "gpt demo made up": "モデルが作った名前（温度 {temperature:g}）: {names}",
        # lecture_mlp、batchnorm、dropout、cnn、weight_init の出力と gpt の ipadic がないとき
        # （--lang）。"fashion missing" / "fashion corrupt" のあとに nn.data の英語の詳細が続く
        "lecture loss": "MLP(2, {layers}): 損失 {loss:.4g}",
        "bn table scale": "重みの標準偏差", "bn table with": "BN あり", "bn table without": "BN なし",
        "bn table note": "（訓練データの認識精度、{epoch} エポック目）",
        "dropout after": "{samples} 枚の写真で {epochs} エポック学習した後:",
        "dropout row": "訓練 {train:.3f}  テスト {test:.3f}  差 {gap:.3f}",
        "fashion missing": "{program}: Fashion-MNIST のファイルが見つかりません（足りないものは次の"
                           "行に英語で）。Debian のパッケージを入れてください: sudo apt-get install "
                           "dataset-fashion-mnist\n{error}",
        "fashion corrupt": "{program}: Fashion-MNIST のファイルを読めません。壊れているようです（詳"
                           "しくは次の行に英語で）:\n{error}",
        "cnn bar": "学習",
        "cnn progress": "ステップ {step}/{steps}  損失 {loss:.4f}",
        "cnn setup": "{model}: パラメータ {parameters} 個（どれも Value）。訓練用の写真 {train} 枚、"
                     "テスト用の写真 {test} 枚",
        "cnn trained": "{steps} ステップの学習時間 {seconds:.0f} 秒",
        "cnn test accuracy": "テスト用の写真 {n} 枚での認識精度 {accuracy:.4f}",
        "weight init time": "{setting}: {seconds:.1f} 秒",
        "gpt demo no ipadic": "demos.gpt: 日本語の名前を読めません。名前の辞書は Debian のパッケージ "
                              "ipadic-common にあります。入れるには: sudo apt-get install "
                              "ipadic-common（詳しくは次の行に英語で）\n{error}",
    },
}
LANGS = tuple(TEXT)


def words(lang: str) -> dict[str, str]:
    """The table of words for lang ("en" or "ja"), else a ValueError naming the allowed ones."""
    if lang not in TEXT:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    return TEXT[lang]


# HTML's entities, and a doubled backslash: dot reads \N, \G, \l, \E, \n in a label as its own
# escapes (the node's name, the graph's, a line break) and \\ as one backslash.
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "\\\\"}
MAX_NAME = 40   # longer names are cut, with "…", so one node cannot swallow the picture


def escape(text: str) -> str:
    """text made safe for a Graphviz label (HTML-like or quoted), shown exactly as written:
    unprintable characters as escapes, dot's own escapes (\\N, \\G, ...) kept literal."""
    return "".join(_escape_char(char) for char in shorten(text, MAX_NAME))


def shorten(text: str, most: int) -> str:
    """text, or its first most - 1 code points and "…" when longer (never half a character)."""
    return text if len(text) <= most else text[:most - 1] + "…"


def _escape_char(char: str) -> str:
    if char in _ENTITIES:
        return _ENTITIES[char]
    if char.isprintable():
        return char
    return repr(char)[1:-1].replace("\\", "\\\\")   # "\n": the visible \ and n (\ doubled)


def visible(text: str) -> str:
    """text for a terminal: control and format characters (ESC, U+202E, ...) shown as escapes."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


# The local partial of each composite, per operand, as a formula (the layer view); the
# primitives' own formulas are their records' `rule` in autograd/rules.py. y is the result.
RULES = {
    "sigmoid": ("y(1−y)",), "tanh": ("1−y²",),
    "softmax": ("yᵢ(δᵢⱼ−yⱼ)",), "log_softmax": ("δᵢⱼ−softmaxⱼ",),
    "neuron": ("{activation}′·w{i}",),
    "mse_loss": ("(y−t)/n",), "cross_entropy": ("−t/(y+δ)/n",),
    "softmax_cross_entropy": ("(y−t)/n",),
    "linear": ("w{i}",), "rmsnorm": ("(δᵢⱼ−yᵢyⱼ/n)/rms",),
    "head": ("∂(Σₜ aₜvₜ), aₜ = softmax(q·kₜ/√d)",), "mlp": ("Σₖ w2ₖ·relu′ₖ·w1ₖ{i}",),
    "batchnorm": ("γ(1−1/n−x̂ₖ²/n)/σ", "x̂", "1"),    # x: the sample's own partial ∂yₖ/∂xₖ
}
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def rule_text(op: str, slot: int | None, n_operands: int, text: dict,
              activation: str = "") -> str:
    """The formula of an operand's local partial: "eᵃ", "1/b", "x₃" (weight 3 of a weighted
    sum); slot None gives the general form, "relu′·wᵢ" for a neuron. "" for an unknown op."""
    rules = primitive_rules(op, text["lang"]) if op in PRIMITIVES else RULES.get(op)
    if not rules:
        return ""
    index = "ᵢ" if slot is None else str(slot).translate(SUBSCRIPTS)
    if op == "dot" and slot is not None:
        half = max(n_operands // 2, 1)
        rule, index = rules[min(slot // half, 2)], str(slot % half).translate(SUBSCRIPTS)
    else:
        rule = rules[min(slot or 0, len(rules) - 1)]
    if op == "neuron" and not activation:
        rule = "w{i}"                         # a linear neuron: d(sum)/dx_i = w_i
    return rule.format(i=index, activation=activation)


def primitive_rules(op: str, lang: str) -> tuple[str, ...]:
    """A primitive's rule text per operand, from its record, in the learner's language."""
    return tuple(rule if isinstance(rule, str) else rule[lang] for rule in PRIMITIVES[op].rule)


def op_symbol(op: str, n_parents: int) -> str:
    """The symbol drawn for an op: its record's (×, exp, √), Σ for an n-ary sum of more than
    two terms; a composite's or an unknown op's own name."""
    if op == "add" and n_parents > 2:
        return "Σ"
    primitive = PRIMITIVES.get(op)
    return primitive.symbol if primitive else op


def computation(op: str, operands: list[str], result: str) -> str:
    """How a node was computed, with numbers: "2 × 3 = 6", "−(2) = -2", "exp(0) = 1".

    Its record's `form` says how: infix (the symbol between the operands), prefix (the symbol
    with its operand x in parentheses) or call (the op's name). stepper.js mirrors this."""
    primitive = PRIMITIVES.get(op)
    form = primitive.form if primitive else "call"
    if form == "infix":
        return f" {primitive.symbol} ".join(operands) + f" = {result}"
    if form == "prefix":
        return primitive.symbol.replace("x", f"({operands[0]})") + f" = {result}"
    return f"{op}({', '.join(operands)}) = {result}"


def number(x: float, precision: int) -> str:
    """A number with `precision` significant digits: 0.6225, 1.5e-07, inf."""
    return f"{float(x) + 0.0:.{precision}g}"        # + 0.0 turns -0.0 into 0.0: never "-0"


def partials_text(partials: list[str]) -> str:
    """An arrow's label from its partials: "∂ 3", "×2 ∂ 3" (x*x), "∂ 27, 29.66" (x**x)."""
    if len(partials) == 1:
        return "∂ " + partials[0]
    if len(set(partials)) == 1:
        return f"×{len(partials)} ∂ {partials[0]}"
    return "∂ " + ", ".join(partials[:3]) + (", …" if len(partials) > 3 else "")


def summary(data, precision: int) -> str:
    """A float as a number; a batch as its first entries: [0.1, 0.2, 0.3, …]."""
    if not isinstance(data, np.ndarray):
        return number(data, precision)
    head = ", ".join(number(x, precision) for x in data[:3])
    return f"[{head}{', …' if data.size > 3 else ''}]"


def batch_lines(data, precision: int) -> list[str]:
    """How a Value's data is written: one line for a float, two for a batch (shape, entries)."""
    if not isinstance(data, np.ndarray):
        return [number(data, precision)]
    return [f"batch {data.shape}, mean {number(data.mean(), precision)}",
            summary(data, precision)]

# The words of the stepper page (viz/stepper.py, stepper.html, stepper.js), one table per
# language with the same keys; {braces} are filled in by the page. Math is the same in both.
PAGE_TEXT = {
    "en": {
        "page title": "Backprop, step by step",
        "data": "data",          # the row words in the picture's value boxes
        "grad": "grad",
        "forward": "Forward pass",
        "backward": "Backward pass",
        "step of": "step {step} of {steps}",
        "phase and step": "{phase}, {step}",
        "first": "First",
        "prev": "Back",
        "next": "Next",
        "last": "Last",
        "play": "Play",
        "pause": "Pause",
        "keys": "Keys: ← → Home End, space plays and pauses",
        "sample": "sample",
        "sample option": "sample {k}",
        "batch total": "(batch total)",
        "inputs": "Inputs",
        "inputs help": "Change an input: every value, local derivative and gradient is computed "
                       "again, here in the page.",
        "constants note": "Grey dashed boxes are constants: when an input changes, each "
                          "(such as softmax's shift) keeps its number. A sigmoid's or tanh's "
                          "output is computed again as Python computes it for the new input.",
        "explain": "Explain",
        "explain help": "Click a node to see its rule and its gradient; hover an arrow to see "
                        "its local derivative.",
        "node": "node {who}",
        "input node": "an input (a leaf): no operation, its value is given",
        "operation": "operation: {op}",
        "value": "value",
        "gradient": "gradient",
        "local derivative": "local derivative",
        "uses": "gradient = the sum over its uses of ∂ × upstream gradient",
        "root grad": "the output: d output / d output = 1",
        "no value yet": "not computed yet",
        "branch": "branch: gradients add",
        "used": "used {count}×: gradients add",
        "copy": "same value, used again here",
        "upstream": "upstream",
        "edge": "grad({who}) += ∂ {partial} × upstream {upstream} = {term}",
        "branch sum": "; branch, gradients add: grad({who}) = {before} + {term} = {after}",
        "seed": "grad({who}) = {seed}: d output / d output",
        "quiz": "Quiz",
        "quiz mode grad": "gradients (backward pass)",
        "quiz mode value": "values (forward pass)",
        "ask grad": "What is the gradient of {who}?",
        "ask value": "What is the value of {who}?",
        "answer": "your answer",
        "check": "Check",
        "right": "Right!",
        "wrong": "Not quite. Hint: {hint}",
        "hint grad": "add ∂ × upstream over its uses: {terms}",
        "hint value": "compute {what}",
        "quiz done": "All answered.",
        "not a number": "Type a number (inf and nan are numbers too).",
        "score": "score: {right} / {answered}",
        "legend value": "value (forward pass)",
        "legend grad": "gradient d output / d value (backward pass)",
        "legend partial": "local derivative d(op)/d(operand), on each arrow",
        "legend branch": "orange border: used twice or more, gradients add",
        "legend active": "red arrow: the step in progress",
        "layer view": "Layer view",          # the toggle's text: the view it switches to
        "saved notebook note": ("The stepper page shows here when the notebook runs (Jupyter, "
                                "Colab); it is left out of the saved notebook to keep it small."),
        "primitive view": "Primitive view",
        "view now layer": "layer view: each composite (sigmoid, a neuron, a loss) is one node",
        "view now primitive": "primitive view: every operation is a node",
        "expand tip": "click to expand into its operations",
        "expand": "Expand {kind} into its operations",
        "collapse into": "Collapse into {kind}",
        "group partial": "{kind}: ∂ = {rule}",
        "group chain": "computed by the chain rule over the {count} nodes inside",
        "in group": "part of {kind} ({who} in the layer view)",
        "expanded note": "teal: the nodes inside {kind}; click one to collapse them again",
        # projector mode and bundles (a weight matrix as one box), viz/stepper.js
        "projector no picture": "The primitive view has {count} values, more than "
                                "max_nodes={limit}: it is not drawn (stepper(..., "
                                "max_nodes={count}) draws it).",
        "projector fit": "Fit to screen",
        "projector fit tip": "scale the picture to the width of the window",
        "projector smaller": "A−",
        "projector larger": "A+",
        "projector size": "text {percent}%",
        "bundle open": "{title}: the weights of layer {layer}; row i: neuron i, column j: its "
                       "input j",
        "bundle rule": "∂loss/∂w[i,j] = ∂(neuron i)/∂w[i,j] × grad(neuron i), where "
                       "∂(neuron i)/∂w[i,j] = x_j · {activation}′(z_i)",
        "bundle pick": "Click a cell to follow that weight to the output. Largest gradients:",
        "bundle cell": "w[{i},{j}] = {value}, grad {grad}",
        "bundle path title": "w[{i},{j}] of {layer} (a weight of {who}), followed to {root}:",
        "bundle path local": "∂({neuron})/∂w[{i},{j}] = {partial}   (x_{j} · {activation}′)",
        "bundle path step": "∂({child})/∂({parent}) = {partial}",
        "bundle path branch": "{who} is used {count} times: {count} paths add up there; "
                              "this one follows the largest term",
        "bundle path product": "along this path: ∂({root})/∂w = {factors} = {product}",
        "bundle path exact": "one path only: this product is grad(w[{i},{j}]) = {grad}",
        "bundle path sum": "all {paths} paths added up: grad(w[{i},{j}]) = {grad}",
        "bundle path batch": "(sample {k}; grad(w) adds this over the {n} samples)",
        "bundle neuron weights": "its weights, w = value → grad:",
        "bundle samples": "the page holds the first {shown} of the {total} samples: the totals "
                          "(a mean, a parameter's gradient) are over these {shown}; "
                          "stepper(..., samples={total}) holds them all",
        "quiz rule": "Checked to 4 significant digits: an answer that rounds to the same 4 "
                     "digits is right (-0.38752 for -0.3875), and so is one within 0.1%. "
                     "Full-width digits (－０．３８７５) work too.",
        "page nonfinite": " ({what} comes from {how} at {who})",
        "page speed": "speed",
        # the step size (viz/stepper.js setMode): one term a step, or all of a node's at once
        "step size": "Step:",
        "step arrow": "one arrow",
        "step node": "one node",
        "node step": "grad of the {count} inputs of {who} += ∂ × upstream {upstream} "
                     "({count} terms)",
        "node terms": "{who} sends its gradient to its {count} inputs, the largest terms first:",
        "more terms": "… and {count} more",
    },
    "ja": {
        "page title": "誤差逆伝播をステップごとに",
        "data": "値",             # the row words in the picture's value boxes
        "grad": "勾配",
        "forward": "順伝播",
        "backward": "逆伝播",
        "step of": "ステップ {step} / {steps}",
        "phase and step": "{phase}、{step}",
        "first": "最初",
        "prev": "戻る",
        "next": "次へ",
        "last": "最後",
        "play": "再生",
        "pause": "一時停止",
        "keys": "キー: ← → Home End、スペースで再生・一時停止",
        "sample": "サンプル",
        "sample option": "サンプル {k}",
        "batch total": "（バッチの合計）",
        "inputs": "入力",
        "inputs help": "入力を変えると、すべての値・局所的な微分・勾配がこのページの中で計算し直されます。",
        "constants note": "灰色の破線の箱は定数です。入力を変えても、定数（softmax のずらし幅"
                          "など）は元の数のままです。sigmoid と tanh の出力は、新しい入力に対して "
                          "Python と同じ方法で計算し直します。",
        "explain": "説明",
        "explain help": "ノードをクリックすると規則と勾配を、矢印にマウスを乗せると局所的な微分を表示します。",
        "node": "ノード {who}",
        "input node": "入力（葉ノード）: 演算はなく、値が与えられます",
        "operation": "演算: {op}",
        "value": "値",
        "gradient": "勾配",
        "local derivative": "局所的な微分",
        "uses": "勾配 = 使われた先ごとの ∂ × 上流の勾配 の和",
        "root grad": "出力: d出力 / d出力 = 1",
        "no value yet": "まだ計算していません",
        "branch": "分岐: 勾配を足す",
        "used": "{count}回使用: 勾配を足す",
        "copy": "同じ値（ここでも使用）",
        "upstream": "上流",
        "edge": "grad({who}) += ∂ {partial} × 上流 {upstream} = {term}",
        "branch sum": "; 分岐: 勾配を足す: grad({who}) = {before} + {term} = {after}",
        "seed": "grad({who}) = {seed}: d出力 / d出力",
        "quiz": "クイズ",
        "quiz mode grad": "勾配（逆伝播）",
        "quiz mode value": "値（順伝播）",
        "ask grad": "{who} の勾配は？",
        "ask value": "{who} の値は？",
        "answer": "答え",
        "check": "答え合わせ",
        "right": "正解！",
        "wrong": "不正解。ヒント: {hint}",
        "hint grad": "使われた先ごとに ∂ × 上流 を足す: {terms}",
        "hint value": "{what} を計算する",
        "quiz done": "全問終了。",
        "not a number": "数を入力してください（inf や nan も数です）。",
        "score": "得点: {right} / {answered}",
        "legend value": "値（順伝播）",
        "legend grad": "勾配 d出力 / d値（逆伝播）",
        "legend partial": "局所的な微分 d(演算)/d(オペランド)（矢印の上）",
        "legend branch": "オレンジの枠: 2回以上使用、勾配を足す",
        "legend active": "赤い矢印: いま進めているステップ",
        "layer view": "レイヤ表示",
        "saved notebook note": ("ステッパーのページは、ノートブックを実行すると（Jupyter、Colab）ここに表示されます。"
                                "保存したノートブックを小さく保つため、ここには含めていません。"),
        "primitive view": "演算ごとの表示",
        "view now layer": "レイヤ表示: 合成関数（Sigmoid、ニューロン、損失）を 1 つのノードで表示",
        "view now primitive": "演算ごとの表示: すべての演算をノードで表示",
        "expand tip": "クリックすると中の演算に展開します",
        "expand": "{kind} を演算に展開",
        "collapse into": "{kind} にまとめる",
        "group partial": "{kind}: ∂ = {rule}",
        "group chain": "中の {count} 個のノードで連鎖律を使って計算",
        "in group": "{kind} の一部（レイヤ表示では {who}）",
        "expanded note": "青緑: {kind} の中のノード。どれかをクリックすると 1 つにまとめ直せます",
        # projector mode and bundles (a weight matrix as one box), viz/stepper.js
        "projector no picture": "演算ごとの表示は値が {count} 個で max_nodes={limit} を超えるため"
                                "描きません（stepper(..., max_nodes={count}) で描けます）。",
        "projector fit": "画面に合わせる",
        "projector fit tip": "図をウィンドウの幅に合わせて縮小・拡大します",
        "projector smaller": "A−",
        "projector larger": "A+",
        "projector size": "文字 {percent}%",
        "bundle open": "{title}: 層 {layer} の重み。i 行目: ニューロン i、j 列目: その入力 j",
        "bundle rule": "∂loss/∂w[i,j] = ∂(ニューロン i)/∂w[i,j] × grad(ニューロン i)、"
                       "ここで ∂(ニューロン i)/∂w[i,j] = x_j · {activation}′(z_i)",
        "bundle pick": "マスをクリックすると、その重みから出力までをたどります。勾配の大きい重み:",
        "bundle cell": "w[{i},{j}] = {value}、勾配 {grad}",
        "bundle path title": "{layer} の w[{i},{j}]（{who} の重み）から {root} まで:",
        "bundle path local": "∂({neuron})/∂w[{i},{j}] = {partial}   (x_{j} · {activation}′)",
        "bundle path step": "∂({child})/∂({parent}) = {partial}",
        "bundle path branch": "{who} は {count} 回使われます: そこで {count} 本の経路の勾配を"
                              "足します。ここでは一番大きい項の経路をたどります",
        "bundle path product": "この経路に沿って: ∂({root})/∂w = {factors} = {product}",
        "bundle path exact": "経路は 1 本だけ: この積が grad(w[{i},{j}]) = {grad}",
        "bundle path sum": "{paths} 本の経路をすべて足すと grad(w[{i},{j}]) = {grad}",
        "bundle path batch": "（サンプル {k}。grad(w) は {n} 個のサンプルの分を足したもの）",
        "bundle neuron weights": "重み w = 値 → 勾配:",
        "bundle samples": "ページには {total} 個のうち最初の {shown} 個のサンプルだけを入れています。"
                          "合計（平均、パラメータの勾配）はこの {shown} 個についての値です。"
                          "stepper(..., samples={total}) ですべて入れられます",
        "quiz rule": "有効数字 4 桁で確かめます: 同じ 4 桁に丸まる答えは正解です（-0.3875 には "
                     "-0.38752 も正解）。0.1% 以内の答えも正解です。全角の数字（－０．３８７５）"
                     "でも入力できます。",
        "page nonfinite": "（この {what} の出どころ: {who} での {how}）",
        "page speed": "速さ",
        # the step size (viz/stepper.js setMode): one term a step, or all of a node's at once
        "step size": "進め方:",
        "step arrow": "1 本の矢印ずつ",
        "step node": "1 ノードずつ",
        "node step": "{who} の {count} 個の入力の勾配 += ∂ × 上流 {upstream}（{count} 項）",
        "node terms": "{who} から {count} 個の入力へ勾配を送ります（項の大きい順）:",
        "more terms": "… ほか {count} 項",
    },
}

# The words of the command line (viz/cli.py, viz/formula.py): the table's header, "wrote ...",
# and every refusal, one table per language with the same keys and the same {braces}.
# Keys starting with "kind " name a kind of Python syntax the formula may not use.
CLI_TEXT = {
    "en": {
        "help usage": "usage: ",
        "help positionals": "positional arguments",
        "help options": "options",
        "help help": "show this help message and exit",
        "help description": "Draw the computational graph of a formula, with forward values, "
                            "gradients and local partials.",
        "help formula": 'e.g. "1/(1+exp(-x))" or "-log(y)"; functions: {functions}',
        "help at": "a variable's value (repeat, or separate with commas)",
        "help output": "the picture to write: .svg, .png or .pdf (default: {default}, unless "
                       "--html is given)",
        "help frames": "also write the step-by-step frames",
        "help html": "write the stepper page: one .html file that steps through backprop, "
                     "explains each rule, and takes new inputs",
        "help quiz": "with --html: open the page as a quiz (gradients hidden)",
        "help lang": "the language of the table, the messages, the page and the picture "
                     "(default: en)",
        "help no grad": "values only: no backward pass",
        "help no partials": "no local partials on the arrows (quicker for large graphs)",
        "help collapse": "the layer view: draw sigmoid, tanh and softmax (and in the page, also "
                         "its view switch) as one node with its own local partial",
        "help rules": "write each local partial's formula next to its number (∂ = eᵃ = 2.718)",
        "help max nodes": "refuse larger graphs (default: 1000 for a picture, 300 for --html)",
        "help timeout": "stop Graphviz after this long (default: {default:g})",
        "input": "input",
        "value": "value",
        "gradient": "gradient",
        "wrote": "wrote {path}",
        "wrote frames": "wrote {count} frames to {folder}/ ({first} ... {last})",
        "error": "{program}: error: {message}",
        "see help": "{message} (see {program} --help)",
        "timeout": "drawing took longer than {seconds} s, so Graphviz's dot was stopped: try "
                   "--no-partials, a smaller formula, or a larger --timeout",
        "cannot write": "cannot write {file}: {reason}",
        "the picture": "the picture",
        "seconds": "{text}: give a positive number of seconds",
        "too long": "the formula has {length} characters; the limit is {limit}",
        "one line": "the formula must be a single line",
        "cannot parse": "cannot parse the formula: {reason}",
        "too deep": "the formula nests more than {limit} levels deep",
        "refused": "{problem} ({allowed})",
        "allowed": "allowed: numbers, names, + - * / **, ( ), {functions}",
        "not allowed": "{kind} are not allowed",
        "attribute": "attribute access (.{attribute}) is not allowed",
        "operator": "the operator {symbol} is not allowed",
        "operator ^": "the operator ^ is not allowed (a power is **)",
        "constant": "the constant {value} is not allowed: only real numbers",
        "function name": "{name} is a function: call it, as in {name}(x)",
        "bad name": "{name} is not a simple variable name (letters, digits, _; not starting "
                    "with _)",
        "callee": "only calls of a function by its name are allowed",
        "unknown function": "unknown function {name}",
        "arguments": "{name}() takes {wanted} argument(s), got {count}",
        "either": "{low} or {high}",
        "no value": "variable {name} has no value: add --at {bare}=NUMBER",
        "unused": "--at gives {names}, which the formula does not use",
        "and more": "{names} and {more} more",
        "no variables": "the formula has no variables: there is nothing to differentiate",
        "too large": "the number {digits}... is too large for a float",
        "name=number": "--at {item}: write NAME=NUMBER, e.g. --at x=0.5",
        "twice": "--at gives {name} twice",
        "not finite": "--at {name}={text}: the value must be a finite number",
        "format": "the output {output} must end in {suffixes}",
        "quiz needs html": "--quiz is an option of the stepper page: add --html PATH",
        "html suffix": "--html {page}: name a file ending in .html",
        "output is folder": "-o {output} is a folder: name a file ending in .svg, .png or .pdf",
        "frames is file": "--frames {frames} is a file: name a folder (made if missing)",
        "not a folder": "{option}: {folder} is not a folder",
        "kind attribute access": "attribute access",
        "kind subscripts": "subscripts",
        "kind lambdas": "lambdas",
        "kind comprehensions": "comprehensions",
        "kind starred arguments": "starred arguments",
        "kind keyword arguments": "keyword arguments",
        "kind strings": "strings",
        "kind comparisons": "comparisons",
        "kind and/or": "and/or",
        "kind conditional expressions": "conditional expressions",
        "kind assignments": "assignments",
        "kind tuples": "tuples",
        "kind lists": "lists",
        "kind dicts": "dicts",
        "kind sets": "sets",
        "kind other": "{syntax} expressions",
    },
    "ja": {
        "help usage": "使い方: ",
        "help positionals": "位置引数",
        "help options": "オプション",
        "help help": "このヘルプを表示して終了",
        "help description": "式の計算グラフを、順伝播の値・勾配・局所的な微分とともに描きます。",
        "help formula": '例: "1/(1+exp(-x))" や "-log(y)"。関数: {functions}',
        "help at": "変数の値（繰り返すか、カンマで区切る）",
        "help output": "書き出す図: .svg, .png, .pdf（既定: {default}。--html があるときは書かない）",
        "help frames": "一歩ずつのコマ送りの図も書き出すフォルダ",
        "help html": "ステッパーのページを書き出す: 逆伝播を一歩ずつ進め、規則を説明し、入力を変え"
                     "られる一つの .html ファイル",
        "help quiz": "--html と一緒に: ページをクイズとして開く（勾配を隠す）",
        "help lang": "表・メッセージ・ページ・図の言語（既定: en）",
        "help no grad": "値だけ: 逆伝播をしない",
        "help no partials": "矢印に局所的な微分を書かない（大きなグラフで速い）",
        "help collapse": "レイヤ表示: sigmoid、tanh、softmax を局所的な微分を持つ一つのノードとして描く"
                         "（ページでは表示の切り替えも付く）",
        "help rules": "局所的な微分の式を数の隣に書く（∂ = eᵃ = 2.718）",
        "help max nodes": "これより大きなグラフは描かない（既定: 図は 1000、--html は 300）",
        "help timeout": "Graphviz をこの秒数で止める（既定: {default:g}）",
        "input": "入力",
        "value": "値",
        "gradient": "勾配",
        "wrote": "{path} に書き出しました",
        "wrote frames": "{count} 枚のフレームを {folder}/ に書き出しました（{first} … {last}）",
        "error": "{program}: エラー: {message}",
        "see help": "{message}（{program} --help を参照）",
        "timeout": "描画に {seconds} 秒より長くかかったので Graphviz の dot を止めました: "
                   "--no-partials、もっと小さな式、もっと大きな --timeout を試してください",
        "cannot write": "{file} に書き込めません: {reason}",
        "the picture": "図",
        "seconds": "{text}: 正の秒数を指定してください",
        "too long": "式が {length} 文字あります。上限は {limit} 文字です",
        "one line": "式は 1 行で書いてください",
        "cannot parse": "式を読み取れません: {reason}",
        "too deep": "式の入れ子が {limit} 段を超えています",
        "refused": "{problem}（{allowed}）",
        "allowed": "使えるもの: 数、名前、+ - * / **、( )、{functions}",
        "not allowed": "{kind}は使えません",
        "attribute": "属性の参照（.{attribute}）は使えません",
        "operator": "演算子 {symbol} は使えません",
        "operator ^": "演算子 ^ は使えません（べき乗は **）",
        "constant": "定数 {value} は使えません: 使えるのは実数だけです",
        "function name": "{name} は関数です: {name}(x) のように呼び出してください",
        "bad name": "{name} は変数名にできません（文字・数字・_ で書き、_ では始めない）",
        "callee": "関数は名前で呼び出すことしかできません",
        "unknown function": "{name} という関数はありません",
        "arguments": "{name}() の引数は {wanted} 個ですが、{count} 個あります",
        "either": "{low} か {high}",
        "no value": "変数 {name} に値がありません: --at {bare}=数値 を加えてください",
        "unused": "--at で {names} を与えていますが、式では使っていません",
        "and more": "{names} ほか {more} 個",
        "no variables": "式に変数がありません: 微分するものがありません",
        "too large": "数 {digits}... は float には大きすぎます",
        "name=number": "--at {item}: 名前=数値 の形で書いてください（例: --at x=0.5）",
        "twice": "--at で {name} を 2 回与えています",
        "not finite": "--at {name}={text}: 値は有限の数にしてください",
        "format": "出力 {output} の拡張子は {suffixes} のどれかにしてください",
        "quiz needs html": "--quiz はステップ実行ページのオプションです: --html パス を加えてください",
        "html suffix": "--html {page}: .html で終わるファイル名にしてください",
        "output is folder": "-o {output} はフォルダです: .svg、.png、.pdf で終わるファイル名に"
                            "してください",
        "frames is file": "--frames {frames} はファイルです: フォルダを指定してください"
                          "（なければ作ります）",
        "not a folder": "{option}: {folder} はフォルダではありません",
        "kind attribute access": "属性の参照",
        "kind subscripts": "添字",
        "kind lambdas": "lambda",
        "kind comprehensions": "内包表記",
        "kind starred arguments": "* 付きの引数",
        "kind keyword arguments": "キーワード引数",
        "kind strings": "文字列",
        "kind comparisons": "比較",
        "kind and/or": "and/or",
        "kind conditional expressions": "条件式",
        "kind assignments": "代入",
        "kind tuples": "タプル",
        "kind lists": "リスト",
        "kind dicts": "辞書",
        "kind sets": "集合",
        "kind other": "{syntax} 式",
    },
}
