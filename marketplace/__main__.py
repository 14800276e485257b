"""``python -m marketplace …`` runs the command line."""

import sys

from marketplace.cli import main

sys.exit(main())
