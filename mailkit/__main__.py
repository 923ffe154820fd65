"""``python -m mailkit``: the same as the ``mailkit`` command."""

from ._cli import run

run()
