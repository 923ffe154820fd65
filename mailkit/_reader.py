"""Reading fixture and theme data: one reader for YAML, JSON and TOML, one walk for every source.

Every fixture and theme passes through here, whatever its format and whichever
entry point reads it (``load_edition``, ``load_theme``, ``render``, ``mailkit
check``, the preview index, ``fixture_pairs``); a dict passed to ``render()``
gets the same walk. What is refused, and why:

* a file over ``Limits.max_file_bytes``, before it is parsed (a 44 MB fixture
  took 50 s and 876 MB before failing);
* YAML anchors, aliases and merge keys, at compose time with line and column:
  a 271-byte fixture of nested aliases expands to billions of values (and a
  self-referencing alias to a cycle);
* duplicate keys, with key and line (TOML refuses them itself): last-wins
  would silently drop what an editor wrote;
* nesting deeper than ``Limits.max_data_depth`` and more than
  ``Limits.max_data_values`` values, counted while composing YAML and walking
  anything else, so nothing recurses unbounded or expands shared references;
  a dict that contains itself is refused;
* integers beyond 64 bits (``int()`` raises ValueError at 4,300 digits, and
  converts a long YAML 1.1 sexagesimal ``1:2:3:...`` in quadratic time) and
  non-finite numbers (``1e999``, ``.inf``, ``NaN``);
* keys holding line breaks or the characters text fields refuse: keys are
  printed in error messages, one line each.

YAML is parsed by libyaml (PyYAML's C parser) and composed by PyYAML's Python
composer, whose ``compose_node`` is where anchors, depth and node count are
checked: linear in the file, in about 1.7x the time ``CSafeLoader`` takes.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from ._errors import InvalidFixtureError, LimitExceededError, UnsafeInputError
from ._sanitize import Limits, check_text, current_limits
from ._yaml import Parser as _Parser

__all__ = ["JsonRefused", "check_data", "is_feed_file", "json_int", "load_json", "read_data_file", "read_source",
           "utf8_error_position"]

# the largest integer a fixture may hold: 64 bits, signed
_MAX_INT = 2**63 - 1
# longest integer literal worth converting: a 64-bit number in binary, with
# sign, prefix and underscores; anything longer is refused before int() runs
_MAX_INT_CHARS = 100

_SURROGATE = re.compile("[\ud800-\udfff]")
# text fields may hold tab, LF and CR (check_text allows them); keys may not
_KEY_BREAK = re.compile("[\t\n\r\u2028\u2029]")



class _Refused(yaml.YAMLError):
    """Something the loader refuses, with where it is; ``limit``: one of the :class:`Limits` fields."""

    def __init__(self, problem: str, mark: Any, *, limit: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = mark
        self.limit = limit


# what YAML 1.1 refuses in a stream (its c-printable's complement)
_NOT_YAML_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


class _SafeLoader(Composer, _Parser, SafeConstructor, Resolver):
    """PyYAML's safe loader without anchors, aliases, merge keys or duplicate keys, bounded in depth and size.

    ``Composer`` comes before the C parser so that its Python ``compose_node``
    (which the C parser would otherwise replace with its own) sees every node.
    """

    def __init__(self, stream: str, limits: Limits) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.limits = limits
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(f"alias *{event.anchor} refused: fixtures and themes may not use anchors and aliases",
                           event.start_mark)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor is not None:
            raise _Refused(f"anchor &{event.anchor} refused: fixtures and themes may not use anchors and aliases",
                           event.start_mark)
        # values are counted as the walk counts them: a mapping's keys are not
        self.nodes += not (isinstance(parent, MappingNode) and index is None)
        if self.nodes > self.limits.max_data_values:
            raise _Refused(f"more than {self.limits.max_data_values:,} values (the limit)", event.start_mark, limit=True)
        nested = isinstance(event, CollectionStartEvent)
        self.depth += nested
        try:
            if self.depth > self.limits.max_data_depth:
                raise _Refused(f"nested deeper than {self.limits.max_data_depth} levels (the limit)",
                               event.start_mark, limit=True)
            return super().compose_node(parent, index)
        finally:
            self.depth -= nested

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        # scalar constructors raise ValueError for impossible values (a
        # timestamp of 2014-02-30, year 0): say where, as for any other error
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as err:
            what = repr(node.value)[:60] if isinstance(node, ScalarNode) else node.tag
            raise _Refused(f"{what}: {err}", node.start_mark) from err

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
        mapping: dict[Any, Any] = {}
        first_line: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused("merge key << refused: fixtures and themes may not use anchors and aliases",
                               key_node.start_mark)
            key = self.construct_object(key_node, deep=deep)
            try:
                hash(key)
            except TypeError as err:
                raise ConstructorError("while constructing a mapping", node.start_mark,
                                       "found unhashable key", key_node.start_mark) from err
            if key in mapping:
                raise _Refused(f"duplicate key {key!r:.60} (first at line {first_line[key]})", key_node.start_mark)
            first_line[key] = key_node.start_mark.line + 1
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_bounded_int(self, node: ScalarNode) -> int:
        text = str(node.value)
        if len(text) > _MAX_INT_CHARS:
            raise _Refused(f"integer of {len(text):,} characters: larger than 64 bits", node.start_mark)
        value = SafeConstructor.construct_yaml_int(self, node)
        if abs(value) > _MAX_INT:
            raise _Refused(f"integer {text} is larger than 64 bits", node.start_mark)
        return value

    def construct_finite_float(self, node: ScalarNode) -> float:
        value = SafeConstructor.construct_yaml_float(self, node)
        if not math.isfinite(value):
            raise _Refused(f"{node.value!r:.60} is not a finite number", node.start_mark)
        return value


# by tag, not by method name: SafeConstructor's table holds its own functions
_SafeLoader.add_constructor("tag:yaml.org,2002:int", _SafeLoader.construct_bounded_int)  # type: ignore[type-var]
_SafeLoader.add_constructor("tag:yaml.org,2002:float", _SafeLoader.construct_finite_float)  # type: ignore[type-var]


def _load_yaml(text: str, source: str, limits: Limits) -> Any:
    loader = _SafeLoader(text, limits)
    try:
        return loader.get_single_data()
    except _Refused as err:
        message = f"{source}: {_where(err.problem_mark)}: {err.problem}"
        if err.limit:
            raise LimitExceededError(message) from err
        raise InvalidFixtureError(source, [("", f"{_where(err.problem_mark)}: {err.problem}")]) from err
    except yaml.reader.ReaderError as err:
        # a character YAML refuses (C0 but tab and line ends, DEL, C1 but NEL, U+FFFE): PyYAML's
        # message is two lines and names a position (in characters, or in UTF-8 bytes from
        # libyaml), not a line and column: the first such character is found here instead
        found = _NOT_YAML_PRINTABLE.search(text)
        if found is None:
            raise InvalidFixtureError(source, [("", f"YAML syntax error: {err.reason}")]) from err
        position = found.start()
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        problem = (f"line {line}, column {column}: U+{ord(found.group()):04X} is a character a YAML file "
                   "may not hold (a control character)")
        raise InvalidFixtureError(source, [("", problem)]) from err
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at {_where(mark)}" if mark else ""
        problem = getattr(err, "problem", None) or str(err)
        raise InvalidFixtureError(source, [("", f"YAML syntax error{where}: {problem}")]) from err
    finally:
        loader.dispose()


class _JsonInteger(str):
    """An integer literal too long to convert; the walk reports it with its field path."""


class _JsonObject(dict[str, Any]):
    """A JSON object that had a key twice; ``duplicate`` is the key. The reader
    says where (line and column); should it not find it, the walk names its field path."""

    duplicate: str = ""


def json_int(text: str) -> int | _JsonInteger:
    """json's ``parse_int``: an integer too long for ``int()`` stays its digits, which :func:`check_data` refuses."""
    return _JsonInteger(text) if len(text) > _MAX_INT_CHARS else int(text)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            dup = _JsonObject(obj)
            dup.duplicate = key
            return dup
        seen.add(key)
    return obj  # pragma: no cover - unreachable: len(obj) < len(pairs) means a key repeats


# a JSON string (with any escapes), a key's colon after it, or a bracket
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"(?:\s*:)?|[{}\[\]]')


def _json_duplicate(text: str) -> str | None:
    """Where the first key given twice in one object is: ``line 5, column 7: duplicate key 'a' (first at line 3)``.

    json's object_pairs_hook sees an object's pairs but not where they are, so
    when it has found a duplicate the text is tokenised once more (strings and
    brackets only) to say where.
    """
    objects: list[dict[str, int] | None] = []
    for m in _JSON_TOKEN.finditer(text):
        token = m.group()
        if token in ("{", "["):
            objects.append({} if token == "{" else None)
        elif token in ("}", "]"):
            if objects:
                objects.pop()
        elif token.endswith(":") and objects and objects[-1] is not None:
            key = json.loads(token[:-1])
            if key in objects[-1]:
                line = text.count("\n", 0, m.start()) + 1
                column = m.start() - text.rfind("\n", 0, m.start())
                first = text.count("\n", 0, objects[-1][key]) + 1
                return f"line {line}, column {column}: duplicate key {key!r:.60} (first at line {first})"
            objects[-1][key] = m.start()
    return None  # pragma: no cover - the hook found one; the walk names its field path


class JsonRefused(ValueError):
    """JSON that :func:`load_json` will not read: a syntax error, a key given twice, or nesting
    too deep for json's parser (``too_deep``: the caller names its limit)."""

    def __init__(self, message: str, *, too_deep: bool = False) -> None:
        super().__init__(message)
        self.too_deep = too_deep


def load_json(text: str) -> Any:
    """The one JSON reader for everything mailkit reads (fixtures, feeds, recipients lines), whose
    result goes to :func:`check_data` (every caller's next step), which refuses the values no
    input holds naming their field: together nothing json would take silently, or turn into a
    traceback, gets through.

    * a key given twice in one object (json keeps the last: which ``email``, which ``items``?):
      a :class:`JsonRefused` with its line and column;
    * nesting deeper than the interpreter's recursion limit (json's C scanner recurses once per
      level, a few hundred KB of ``[``): ``too_deep``; shallower nesting is check_data's to bound;
    * ``NaN``, ``Infinity``: read as floats, which check_data refuses naming the field;
    * an integer of 4,300 digits or more: kept as its digits (:func:`json_int`) for check_data
      to refuse naming the field, not CPython's advice naming nothing.
    """
    duplicated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal duplicated
        obj = _json_object(items)
        duplicated = duplicated or isinstance(obj, _JsonObject)
        return obj

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_int=json_int)
    except json.JSONDecodeError as err:
        raise JsonRefused(f"JSON syntax error at line {err.lineno}, column {err.colno}: {err.msg}") from err
    except RecursionError as err:
        raise JsonRefused("nested too deep", too_deep=True) from err
    if duplicated and (where := _json_duplicate(text)):
        raise JsonRefused(where)
    return data


def _parse(text: str, suffix: str, source: str, limits: Limits) -> Any:
    if suffix in (".yaml", ".yml"):
        return _load_yaml(text, source, limits)
    if suffix == ".json":
        try:
            return load_json(text)
        except JsonRefused as err:
            if err.too_deep:
                raise LimitExceededError(f"{source}: nested deeper than {limits.max_data_depth} levels (the limit)") from err
            raise InvalidFixtureError(source, [("", str(err))]) from err
    try:
        if suffix == ".toml":
            # loaded for a TOML file only: 1.5 ms of every cold `mailkit render` (-X importtime)
            import tomllib

            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as err:
                raise InvalidFixtureError(source, [("", f"TOML syntax error: {err}")]) from err
        else:
            raise InvalidFixtureError(source, [("", "unsupported file type (use .json, .yaml, .yml or .toml)")])
    except RecursionError as err:
        # tomllib recurses once per level (json's scanner too: load_json); within the
        # interpreter's limit the walk refuses the depth with a field path
        raise LimitExceededError(f"{source}: nested deeper than {limits.max_data_depth} levels (the limit)") from err
    except InvalidFixtureError:
        raise
    except ValueError as err:
        # tomllib converts integer literals with int(), which refuses 4,300
        # digits or more (CPython's int_max_str_digits); tomllib has no hook for it
        # (a run starts only after a non-digit: without the lookbehind every
        # digit of 500 runs of 3,999 began a scan to its run's end, 10 s for 2 MB)
        m = re.search(r"(?<![0-9_])[0-9_]{4000,}", text)
        if m is None:  # pragma: no cover - no other ValueError is known to escape tomllib
            raise InvalidFixtureError(source, [("", f"TOML: {err}")]) from err
        line = text.count("\n", 0, m.start()) + 1
        raise InvalidFixtureError(source, [("", f"line {line}: integer of {len(m.group()):,} digits: larger than 64 bits")]) from err
    return data


def is_feed_file(path: str | Path) -> bool:
    """Whether the file at ``path`` is a feed or ninjs document (by its first 4 KB), not a fixture.

    XML (RSS, Atom) starts with "<"; a JSON document is a feed unless its head
    names a fixture's ``newsletter`` or ``articles``. A file that cannot be
    read is not a feed (loading it as a fixture names the file and the error).
    Here rather than in mailkit._editions, so that a render of a fixture does
    not load the feed importer.
    """
    try:
        with Path(path).open("rb") as f:
            head = f.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return False
    if head.startswith(b"<"):
        return True
    # JSON by content: an object, or an array of objects (a TOML table header ``[newsletter]`` is not)
    is_json = head.startswith(b"{") or re.match(rb"\[\s*[{\]]", head) is not None
    return is_json and re.search(rb'"(newsletter|articles)"\s*:', head) is None


def utf8_error_position(raw: bytes, start: int) -> str:
    """Where byte ``start`` of ``raw`` is, as a person finds it: ``line 28, column 21``
    (the column in characters: what decodes of the line before it, and one)."""
    line_start = raw.rfind(b"\n", 0, start) + 1
    column = len(raw[line_start:start].decode("utf-8", "replace")) + 1
    line = raw.count(b"\n", 0, start) + 1
    return f"line {line}, column {column}"


# the byte-order marks of UTF-32 and UTF-16, longest first: a UTF-32-LE BOM starts with UTF-16-LE's
BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def other_encoding(head: bytes) -> str | None:
    """The encoding a file that is not UTF-8 is plainly in, from its first bytes: a UTF-16 or
    UTF-32 byte-order mark, or UTF-16/32 without one (ASCII text with NUL bytes between, what
    Windows editors save as "Unicode"); ``None`` when it is not plain (Latin-1, Windows-1252 ...)."""
    for bom, codec in BOMS:
        if head.startswith(bom):
            return codec[:6].upper()
    sample = head[:64]
    if len(sample) >= 4 and sample.count(0) * 4 >= len(sample):  # text in ASCII is one NUL in 2 (or 3 in 4) bytes
        return "UTF-32" if sample.count(0) * 4 >= len(sample) * 3 else "UTF-16"
    return None


def _in_other_encoding(encoding: str) -> str:
    return f"not UTF-8: the file is {encoding}; save it as UTF-8"


def not_utf8(raw: bytes, err: UnicodeDecodeError) -> str:
    """What to tell a person of ``raw`` that failed to decode as UTF-8: where and why, and the
    encoding it is in when that is plain (a byte 0xff at line 1, column 1 says nothing to most)."""
    encoding = other_encoding(raw)
    if encoding is not None:
        return _in_other_encoding(encoding)
    return f"{utf8_error_position(raw, err.start)}: not UTF-8 ({err.reason}: byte 0x{raw[err.start]:02x})"


def decoded_utf16(raw: bytes, text: str) -> str | None:
    """:func:`not_utf8`'s message for ``raw`` that decoded as ``text`` though it is UTF-16 or
    UTF-32 (ASCII text in either is valid UTF-8, a NUL between letters), else ``None``."""
    if "\0" in text[:64] and (encoding := other_encoding(raw)):
        return _in_other_encoding(encoding)
    return None


def read_data_file(path: Path, limits: Limits | None = None) -> Any:
    """Read and parse a fixture or theme file (``.yaml``, ``.yml``, ``.json``, ``.toml``), then :func:`check_data`.

    Refused with :class:`InvalidFixtureError` or :class:`LimitExceededError`
    naming the file and line or field path: see the module docstring.
    """
    if limits is None:  # the limits of the render under way
        limits = current_limits()
    source = str(path)
    if path.suffix not in (".yaml", ".yml", ".json", ".toml"):
        raise InvalidFixtureError(source, [("", "unsupported file type (use .json, .yaml, .yml or .toml)")])
    try:
        # O_NONBLOCK: opening a named pipe (fixtures/x.yaml made by mkfifo)
        # waited for a writer forever, and one that trickles would hold the
        # read; only a regular file is read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                raise InvalidFixtureError(source, [("", "cannot read: not a regular file")])
            # read one byte past the limit rather than trust stat(): the file
            # may grow while it is read
            raw = f.read(limits.max_file_bytes + 1)
    except OSError as err:
        raise InvalidFixtureError(source, [("", f"cannot read: {err}")]) from err
    except ValueError as err:  # a NUL or a lone surrogate in the name: the OS cannot be asked for it
        raise InvalidFixtureError(source, [("", f"cannot read: not a file name the system takes ({err})")]) from err
    if len(raw) > limits.max_file_bytes:
        raise LimitExceededError(f"{source}: file larger than {limits.max_file_bytes:,} bytes (the limit)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidFixtureError(source, [("", not_utf8(raw, err))]) from err
    if problem := decoded_utf16(raw, text):
        raise InvalidFixtureError(source, [("", problem)])
    data = _parse(text, path.suffix, source, limits)
    check_data(data, source, limits)
    return data


def _key_problem(key: str) -> str | None:
    if key.isprintable():  # the usual key; every character refused below is not printable
        return None
    m = _KEY_BREAK.search(key)
    if m:
        return f"control character U+{ord(m.group()):04X} at position {m.start()}"
    return check_text(key)


def _field(path: list[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, str):
            out += f".{part:.60}" if out else f"{part:.60}"
        elif isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:  # a key that is not a string, held in a 1-tuple: True, None, a date ...
            out += f".{part[0]!r:.60}"
    return out


def check_data(data: Any, source: str, limits: Limits | None = None) -> None:
    """Walk parsed data (or a caller's dict) once, refusing what no fixture holds.

    Nesting deeper than ``limits.max_data_depth``, more than
    ``limits.max_data_values`` values (shared references counted each time),
    a container that holds itself, integers beyond 64 bits, non-finite floats,
    lone surrogates, keys with line breaks or refused characters, and
    duplicate JSON keys; errors name the field path.
    """
    if limits is None:  # the limits of the render under way
        limits = current_limits()
    path: list[Any] = []  # keys (str), indices (int) or other keys (a 1-tuple): formatted only for an error
    on_path: set[int] = set()
    count = 0

    def refuse(problem: str, error: type[InvalidFixtureError] = InvalidFixtureError) -> None:
        raise error(source, [(_field(path), problem)])

    def walk(value: Any, depth: int) -> None:
        nonlocal count
        count += 1
        if count > limits.max_data_values:
            raise LimitExceededError(f"{source}: {_field(path)}: more than {limits.max_data_values:,} values (the limit)")
        kind = type(value)
        if kind is str or isinstance(value, str):
            if kind is _JsonInteger:
                refuse(f"integer of {len(value):,} digits: larger than 64 bits")
            m = None if value.isascii() else _SURROGATE.search(value)
            if m:
                # pydantic cannot even read a string holding one ("unable to parse raw data")
                refuse(f"lone surrogate U+{ord(m.group()):04X} at position {m.start()}", UnsafeInputError)
            return
        if kind is bool:
            return
        if isinstance(value, int):
            if abs(value) > _MAX_INT:
                refuse("integer larger than 64 bits")
            return
        if isinstance(value, float):
            if not math.isfinite(value):
                refuse(f"{value} is not a finite number")
            return
        is_mapping = kind is dict or kind is _JsonObject or isinstance(value, Mapping)
        if not (is_mapping or kind is list or isinstance(value, list | tuple)):
            return
        if depth >= limits.max_data_depth:
            raise LimitExceededError(f"{source}: {_field(path)}: nested deeper than {limits.max_data_depth} levels (the limit)")
        if id(value) in on_path:
            refuse("contains itself (a cycle)")
        on_path.add(id(value))
        if kind is _JsonObject:
            refuse(f"duplicate key {value.duplicate!r:.60}")
        if is_mapping:
            for key, item in value.items():
                if isinstance(key, str):
                    problem = _key_problem(key)
                    if problem:
                        # a key is printed in error messages: a newline in one
                        # would forge a second line of `mailkit check` output
                        refuse(f"key {key!r:.60} holds {problem}", UnsafeInputError)
                    path.append(key)
                else:
                    if isinstance(key, int) and abs(key) > _MAX_INT:
                        refuse("a key is an integer larger than 64 bits")
                    path.append((key,))
                walk(item, depth + 1)
                path.pop()
        else:
            for i, item in enumerate(value):
                path.append(i)
                walk(item, depth + 1)
                path.pop()
        on_path.discard(id(value))

    walk(data, 0)


def read_source(source: str | Path | Mapping[str, Any], mapping_name: str) -> tuple[Any, str]:
    """``(data, name)`` from a file path (read with :func:`read_data_file`) or a mapping
    a caller passed (walked with :func:`check_data` and named ``mapping_name`` in errors)."""
    if isinstance(source, Mapping):
        check_data(source, mapping_name)
        return source, mapping_name
    path = Path(source)
    return read_data_file(path), str(path)
