"""``python -m mailkit``: the same as the ``mailkit`` command.

The collector is off while the command's modules load (see :func:`run`), so
this module imports nothing of mailkit's before it has switched it off, and
``mailkit/__init__`` imports nothing at all (its names load on first use).
"""

import gc
import os


def run() -> None:
    """The ``mailkit`` console script and ``python -m mailkit``: the command, as a process of its own.

    Python's cyclic garbage collector is switched off while the command's
    modules load (pydantic, Jinja, Babel, the models): the imports of a cold
    ``mailkit render breaking`` set off about 90 collections, which walked
    objects that all stay, 15 ms (timed with ``gc.callbacks``).
    :func:`mailkit._cli.run` then freezes what was loaded and switches the
    collector back on for the command itself. Only the command's process does
    this: ``import mailkit`` in a caller's process leaves its collector alone.
    """
    gc.disable()
    # pydantic looks for plugins (an entry-point scan of every installed
    # distribution, 2-3 ms here, more in a larger environment) when the first model
    # is built. This process is the command's own and runs none: switched off
    # for it (and what it starts), unless the caller set the variable.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] in ("__all__", "1", "true"):
        # and so pydantic's plugin loader never reads importlib.metadata, which it
        # imports at the top (pydantic/plugin/_loader.py): with email.message,
        # zipfile and csv, about 10 ms of a cold `mailkit render`. A stand-in
        # imports it on first use, for whoever uses it (tests/test_cold.py).
        from ._deferred import defer_import

        defer_import("importlib.metadata")
    from ._cli import run as run_command

    run_command()


if __name__ == "__main__":
    run()
