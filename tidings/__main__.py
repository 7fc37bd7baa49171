"""``python -m tidings`` runs the command line."""

import sys

from tidings.cli.main import main

sys.exit(main())
