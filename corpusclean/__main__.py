"""``python -m corpusclean`` is the ``corpusclean`` command."""

import sys

from corpusclean.cli import main

sys.exit(main())
