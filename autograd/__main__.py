"""``python -m autograd "(a+b)*(b+1)" a=2 b=1``: see :mod:`autograd.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
