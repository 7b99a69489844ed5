# The two commands of the README, each self-contained on a fresh machine:
#   make test   create .venv, install zerograd with its test extras, Graphviz's dot, a Japanese font
#               (fonts-noto-cjk, for Japanese names and lang="ja" pictures), a headless
#               Chromium with its driver (for the stepper page's browser tests), the
#               Fashion-MNIST files (dataset-fashion-mnist, for demos/fashion_mnist.py) and
#               Japanese given names (ipadic-common, for demos/gpt.py --lang ja), run pytest
#   make demo   the same set-up (dot, the Japanese font, Fashion-MNIST, the names), then the tour
#               in demos/
# Installing Debian packages needs root; otherwise each step prints the one command to run,
# and the tests that need what is missing are skipped, saying that command.
# Also: make bench (speed against micrograd, and PyTorch when installed),
#       make notebooks (the course in notebooks/, in Jupyter Lab from the venv).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python

.PHONY: test demo bench dist notebooks dot fonts browser data ipadic clean

test: $(VENV)/.installed-test $(VENV)/.installed-torch $(VENV)/wheels dot fonts browser data ipadic
	$(PY) -m pytest

demo: $(VENV)/.installed-demos dot fonts data ipadic
	$(PY) -m demos

bench: $(VENV)/.installed-bench
	$(PY) -m bench

# As root (how make installs the Debian parts) Jupyter refuses to start without --allow-root.
JUPYTER_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)

# A wheel and an sdist in dist/, checked by twine (what a notebook or Colab installs).
dist: $(VENV)/.installed-dist
	rm -rf dist
	$(PY) -m build --outdir dist .
	$(PY) -m twine check dist/*

notebooks: $(VENV)/.installed-notebooks dot fonts
	$(VENV)/bin/jupyter lab $(JUPYTER_ROOT) notebooks

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# One stamp per set of extras; reinstalls when the package metadata changes.
$(VENV)/.installed-test: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test,demos]'
	touch $@

$(VENV)/.installed-demos: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[demos]'
	touch $@

$(VENV)/.installed-notebooks: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[demos,notebooks]'
	touch $@

$(VENV)/.installed-dist: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dist]'
	touch $@

$(VENV)/.installed-bench: setup.cfg pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[demos,bench]'
	touch $@

# Graphviz's dot renders the drawings; Debian's package when we may install it.
dot:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz (Debian package graphviz)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz's dot is missing: install it (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz), then re-run make."; \
	    exit 1; \
	  fi; }

# A Japanese font (Debian's fonts-noto-cjk) for names such as りんご and lang="ja" pictures.
# Without one, drawings still work and warn once with this same command.
fonts:
	@command -v fc-list >/dev/null 2>&1 && [ -n "$$(fc-list ':lang=ja' family)" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing a Japanese font (Debian package fonts-noto-cjk)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      fonts-noto-cjk >/dev/null || \
	      echo "Could not install fonts-noto-cjk: Japanese text will show as boxes."; \
	  else \
	    echo "No Japanese font found, so Japanese text would show as boxes: install one" \
	      "(Debian/Ubuntu: sudo apt-get install fonts-noto-cjk; macOS: brew install --cask" \
	      "font-noto-sans-cjk-jp), then re-run make."; \
	  fi; }

# Chromium and ChromeDriver drive the stepper page in the browser tests (Debian's packages).
browser:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium and ChromeDriver (Debian packages chromium, chromium-driver)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium chromium-driver >/dev/null || \
	      echo "Could not install Chromium: the browser tests will be skipped and say so."; \
	  else \
	    echo "Chromium is missing, so the browser tests will be skipped: install it (Debian/Ubuntu:" \
	      "sudo apt-get install chromium chromium-driver), then re-run make test."; \
	  fi; }

# Fashion-MNIST's four IDX files (Debian's dataset-fashion-mnist puts them in FASHION_MNIST) for
# demos/fashion_mnist.py and nn.data.fashion_mnist(). Without them their tests are skipped and
# say this same command.
FASHION_MNIST := /usr/share/datasets/fashion-mnist
FASHION_FILES := $(addprefix $(FASHION_MNIST)/,train-images-idx3-ubyte.gz \
  train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz)

data:
	@ls $(FASHION_FILES) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Fashion-MNIST (Debian package dataset-fashion-mnist)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      dataset-fashion-mnist >/dev/null || \
	      echo "Could not install dataset-fashion-mnist: the Fashion-MNIST tests will be skipped."; \
	  else \
	    echo "Fashion-MNIST is missing, so demos.fashion_mnist cannot run and its tests will be" \
	      "skipped: install it (Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist)," \
	      "then re-run make."; \
	  fi; }

# Japanese given names with their katakana readings (Debian's ipadic-common puts them in
# IPADIC_NAMES) for nn.data.japanese_names() and demos/gpt.py --lang ja. Without it those tests
# are skipped and say this same command.
IPADIC_NAMES := /usr/share/chasen/ipadic/Noun.name.dic

ipadic:
	@ls $(IPADIC_NAMES) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Japanese names (Debian package ipadic-common)..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      ipadic-common >/dev/null || \
	      echo "Could not install ipadic-common: the Japanese-names tests will be skipped."; \
	  else \
	    echo "ipadic-common is missing, so demos.gpt --lang ja cannot run and its tests will be" \
	      "skipped: install it (Debian/Ubuntu: sudo apt-get install ipadic-common)," \
	      "then re-run make."; \
	  fi; }

# PyTorch, CPU build, for the tests that compare every layer with it (float64), when its wheel
# lies on this machine's disk (PyPI's Linux build brings several GB of CUDA). Without it those
# tests are skipped and say how to install it.
TORCH_WHEEL := $(firstword $(wildcard /opt/wheels/torch-2.13.0+cpu-*.whl))

$(VENV)/.installed-torch: | $(PY)
	@if $(PY) -c "import torch" 2>/dev/null; then :; \
	elif [ -n "$(TORCH_WHEEL)" ]; then \
	  echo "Installing PyTorch (CPU) for the comparison tests..."; \
	  $(PY) -m pip install --quiet "$(TORCH_WHEEL)"; \
	else \
	  echo "PyTorch is not installed: the comparisons with it are skipped (pip install torch" \
	    "--index-url https://download.pytorch.org/whl/cpu, then re-run make test)."; \
	fi
	touch $@

# HIPS autograd's wheel (another package also called `autograd`, which Colab has), for the test
# that installs it first in a fresh environment and runs notebook 01's install cell over it
# (tests/test_colab_install.py): downloaded here, so the test itself needs no network.
$(VENV)/wheels: | $(PY)
	@mkdir -p $@.tmp && $(PY) -m pip download --quiet --no-deps --dest $@.tmp autograd==1.7.0 \
	  && mv $@.tmp $@ || { rm -rf $@.tmp; echo "Could not download HIPS autograd's wheel:" \
	  "the Colab install test will be skipped."; }

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis *.egg-info
