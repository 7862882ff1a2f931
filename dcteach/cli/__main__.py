"""``python -m dcteach.cli``: the same as the ``dcteach`` command."""

import sys

from dcteach.cli import main

sys.exit(main())
