"""``python -m khabar.cli``: the ``khabar`` command."""

from khabar.cli import main

raise SystemExit(main())
