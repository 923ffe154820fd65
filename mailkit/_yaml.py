"""Adapter: the PyYAML internal mailkit relies on, and nowhere else.

mailkit's YAML loader (mailkit/_reader.py) is PyYAML's safe loader composed
by hand around a parser: libyaml's ``CParser`` from the private
``yaml._yaml`` when PyYAML was built with it (what ``yaml.CSafeLoader`` is
made of), else the pure-Python reader, scanner and parser. Pinned in
tests/test_adapters.py.
"""

from __future__ import annotations

import yaml

__all__ = ["Parser"]

if yaml.__with_libyaml__:
    from yaml._yaml import CParser as Parser
else:  # pragma: no cover - PyYAML built without libyaml: the pure-Python parser, slower but as linear
    from yaml.parser import Parser as _PurePythonParser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class Parser(Reader, Scanner, _PurePythonParser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PurePythonParser.__init__(self)
