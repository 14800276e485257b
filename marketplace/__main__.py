"""``python -m marketplace …`` runs the command line."""

import sys

from marketplace.platform.cli import main

sys.exit(main())
