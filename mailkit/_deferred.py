"""Modules that stand in ``sys.modules`` until first used: an import a cold command pays for nothing.

Two imports in mailkit's cold path load a module that is never used there:
premailer imports ``requests`` for a network mode mailkit never turns on, and
pydantic's plugin loader imports ``importlib.metadata`` (and with it
``email.message``, ``zipfile``, ``csv``) to scan entry points that the
command's own process switches off (``PYDANTIC_DISABLE_PLUGINS``). Neither
library is patched: the name they import is a :class:`DeferredModule` that
imports the real module the first time anyone reads one of its attributes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from typing import Any

__all__ = ["DeferredModule", "defer_import"]


class DeferredModule(types.ModuleType):
    """Stands in sys.modules for a module until its first attribute is read, then imports it.

    Unlike importlib.util.LazyLoader's module, it keeps a real ``__spec__``:
    on Python 3.11 ``import requests`` reads ``requests.__spec__`` (is it still
    initialising?), which makes LazyLoader's module load at once.
    """

    def __getattr__(self, attr: str) -> Any:
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        parent, _, child = name.rpartition(".")
        if parent and getattr(sys.modules.get(parent), child, None) is self:
            # the import system sets the attribute again, to the real module, once it has loaded it
            delattr(sys.modules[parent], child)
        module = importlib.import_module(name)
        # from now on any holder of this stand-in reads the real module's names
        self.__dict__.update(module.__dict__)
        return getattr(module, attr)


def defer_import(name: str) -> bool:
    """Put a :class:`DeferredModule` for ``name`` in ``sys.modules`` (False: already imported, or not installed).

    A submodule's stand-in is also set as its package's attribute, as a real
    import would: ``import importlib.metadata; importlib.metadata.version(...)``
    works through it.
    """
    if name in sys.modules:
        return False
    spec = importlib.util.find_spec(name)
    if spec is None:
        return False
    stand_in = DeferredModule(name)
    stand_in.__spec__ = spec
    stand_in.__file__ = spec.origin
    parent, _, child = name.rpartition(".")
    sys.modules[name] = stand_in
    if parent:
        setattr(sys.modules[parent], child, stand_in)
    return True
