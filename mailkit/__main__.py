"""``python -m mailkit``: the same as the ``mailkit`` command."""

from .cli import main

main()
