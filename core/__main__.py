"""`python -m core` runs the didhub command line."""

from core.cli import main

main()
