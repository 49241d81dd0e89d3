"""``python -m hazardrules``: the command line."""

from .interfaces.cli import main

raise SystemExit(main())
