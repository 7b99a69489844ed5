"""`python -m viz "1/(1+exp(-x))" --at x=0.5 -o sigmoid.svg`: see `cli.py`."""

import sys

from .cli import main

sys.exit(main())
