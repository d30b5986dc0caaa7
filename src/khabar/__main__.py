"""``python -m khabar``: the ``khabar`` command."""

from khabar.cli import main

raise SystemExit(main())
