"""Adapter: the pydantic internal mailkit relies on, and nowhere else.

``ModelMetaclass`` (pydantic's ``_internal``): mailkit's models translate a
``ValidationError`` raised when the caller builds one into a MailkitError in a
metaclass's ``__call__`` (see mailkit/_models.py); pydantic has no public name
for the metaclass of ``BaseModel``. Pinned in tests/test_adapters.py.
"""

from __future__ import annotations

from pydantic._internal._model_construction import ModelMetaclass

__all__ = ["ModelMetaclass"]
