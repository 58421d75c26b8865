"""``python -m distcrm``: the command line (see ``distcrm --help``)."""

from __future__ import annotations

import sys

from distcrm._cli import main

if __name__ == "__main__":
    sys.exit(main())
