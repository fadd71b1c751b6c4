"""``python -m sora_guard``: the ``sora-guard`` command line."""

from sora_guard.cli import main

raise SystemExit(main())
