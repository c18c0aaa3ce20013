"""`python -m sledcheck` is `sledcheck`."""

from .cli import main

raise SystemExit(main())
