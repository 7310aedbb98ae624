"""``python -m powerschool_xte.cli``: the ``xte`` command."""

from powerschool_xte.cli import main

raise SystemExit(main())
