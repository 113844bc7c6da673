"""Allow ``python -m signoff``."""

from signoff.cli.main import main

raise SystemExit(main())
