"""Reading a user's text and YAML files into plain data, with errors that name file and line.

Every reader in `rackforge.formats` goes through `read_text`, so a missing file, a directory
or a file that is not UTF-8 text gives the same `InputError` whatever the format. YAML is
loaded with the safe loader plus one check the safe loader lacks: a key written twice in the
same mapping is an error (PyYAML would silently keep the last one).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, ScalarNode
from yaml.reader import ReaderError

from rackforge.errors import InputError

__all__ = ["load_yaml_mapping", "load_yaml_text", "read_text"]

_YAML_FIX = (
    "correct the YAML at that line: check indentation (spaces, not tabs), "
    "a missing ':' after a key, or an unclosed quote or bracket"
)


def read_text(path: Path) -> str:
    """The whole file as text; an `InputError` naming the file when it cannot be read."""
    where = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "file not found", where=where, fix="check the path and the current directory"
        ) from None
    except IsADirectoryError:
        raise InputError(
            "is a directory, not a file", where=where, fix="give the path of a file inside it"
        ) from None
    except PermissionError:
        raise InputError(
            "cannot read the file (permission denied)",
            where=where,
            fix="make it readable by this user",
        ) from None
    except OSError as err:
        raise InputError(
            f"cannot read the file ({err.strerror or err})", where=where, fix="check the path"
        ) from None
    try:
        # utf-8-sig drops the byte-order mark spreadsheet programs put in front of CSV files.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(
            f"not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})",
            where=f"{where}:{line}",
            fix="save the file as UTF-8 text",
        ) from None


class _NoDuplicateKeysLoader(yaml.SafeLoader):
    """The safe loader, refusing a key repeated within one mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[str, ScalarNode] = {}
        for key_node, _ in node.value:
            # Merge keys (`<<: *anchor`) may legitimately be overridden; only explicit keys count.
            if not isinstance(key_node, ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            first = seen.get(key_node.value)
            if first is not None:
                raise ConstructorError(
                    problem=f"key '{key_node.value}' appears twice "
                    f"(first on line {first.start_mark.line + 1})",
                    problem_mark=key_node.start_mark,
                )
            seen[key_node.value] = key_node
        return super().construct_mapping(node, deep=deep)


def _load(text: str, where: str) -> Any:
    try:
        return yaml.load(text, Loader=_NoDuplicateKeysLoader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = ": ".join(part for part in (err.context, err.problem) if part) or "bad syntax"
        fix = (
            "write each key once in this mapping (merge or rename the two entries)"
            if "appears twice" in problem
            else _YAML_FIX
        )
        raise InputError(f"invalid YAML: {problem}", where=f"{where}{line}", fix=fix) from None
    except ReaderError as err:
        line_no = text[: err.position].count("\n") + 1
        char = err.character
        shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        raise InputError(
            f"invalid YAML: character {shown} is not allowed",
            where=f"{where}:{line_no}",
            fix="remove control characters from the file",
        ) from None
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {err}", where=where, fix=_YAML_FIX) from None
    except RecursionError:
        raise InputError(
            "YAML nested too deeply to read", where=where, fix="flatten the nesting"
        ) from None


def load_yaml_text(text: str, where: str) -> dict[str, Any]:
    """The top-level mapping of a YAML document; `where` names it (a file name) in errors."""
    data = _load(text, where)
    if data is None:
        raise InputError(
            "the YAML document is empty", where=where, fix="add the top-level keys (key: value)"
        )
    if not isinstance(data, dict):
        raise InputError(
            f"the top level must be a mapping of keys to values, not a {_kind(data)}",
            where=where,
            fix="start the file with `key: value` lines (no leading '-')",
        )
    for key in data:
        if not isinstance(key, str):
            raise InputError(
                f"top-level key {key!r} is a {_kind(key)}, not text",
                where=where,
                fix=f"quote the key: '{key}':",
            )
    return data


def load_yaml_mapping(path: Path) -> dict[str, Any]:
    """The top-level mapping of a YAML file; errors name the file and line."""
    return load_yaml_text(read_text(path), str(path))


def _kind(value: object) -> str:
    kinds = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}
    return kinds.get(type(value), type(value).__name__)
