"""Run the command line as ``python -m mapdaily_cli``."""

from mapdaily_cli.cli import main

main()
