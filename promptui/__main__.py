"""`python -m promptui ...`: the command line (see promptui.cli)."""

import sys

from promptui.cli import main

sys.exit(main())
