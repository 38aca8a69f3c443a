"""`python -m powerrag` runs the CLI."""

from powerrag.cli import main

raise SystemExit(main())
