"""Allow ``python -m signoff``."""

from signoff.cli import main

raise SystemExit(main())
