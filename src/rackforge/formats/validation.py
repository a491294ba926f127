"""Turning a pydantic `ValidationError` into an `InputError` a user can act on.

pydantic says what failed and where (`loc`); this adds the file, writes the location as a key
path (`scenario.yaml:system.scale_up.size`, `cases[3].model`) and a fix in plain words.
When the model class is given, the fix can list the allowed keys for an unknown one and say
"integer" rather than "number" for an integer field.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from typing import Any, Union, get_args, get_origin

import pydantic
from pydantic import BaseModel

from rackforge.errors import InputError

__all__ = ["input_error_from_pydantic", "key_path"]

_MAX_SHOWN = 60


def key_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a key path: ("cases", 3, "model") -> "cases[3].model"."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def input_error_from_pydantic(
    err: pydantic.ValidationError, where: str, model: type[BaseModel] | None = None
) -> InputError:
    """One `InputError` for all of `err`'s problems, located at the first one.

    `where` is the file (or file:key prefix) the validated data came from.
    """
    problems = err.errors(include_url=False)
    if not problems:
        return InputError(str(err), where=where or None)
    messages: list[str] = []
    fixes: list[str] = []
    for index, problem in enumerate(problems):
        loc = problem["loc"]
        message = _describe(problem)
        fix = _fix(problem, model)
        prefix = "" if index == 0 else f"{key_path(loc) or '(top level)'}: "
        messages.append(prefix + message)
        if fix:
            fixes.append(prefix + fix)
    first = key_path(problems[0]["loc"])
    located = ":".join(part for part in (where, first) if part)
    return InputError("; ".join(messages), where=located or None, fix="; ".join(fixes) or None)


def _describe(problem: Any) -> str:
    kind: str = problem["type"]
    loc = problem["loc"]
    if kind == "missing":
        return f"required key '{loc[-1]}' is missing" if loc else "required value is missing"
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}'" if loc else "unknown key"
    message = str(problem["msg"]).removeprefix("Value error, ")
    value = problem.get("input")
    if isinstance(value, dict | list):
        return message
    return f"{message} (got {_shown(value)})"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."


def _fix(problem: Any, model: type[BaseModel] | None) -> str | None:
    kind: str = problem["type"]
    loc = tuple(problem["loc"])
    ctx: dict[str, Any] = problem.get("ctx") or {}
    if kind == "missing":
        return f"add '{loc[-1]}: <value>'" if loc else None
    if kind == "extra_forbidden":
        return _unknown_key_fix(loc, model)
    if kind in {"greater_than", "greater_than_equal"}:
        bound = ctx.get("gt", ctx.get("ge"))
        noun = "integer" if _is_int_field(model, loc) else "number"
        if kind == "greater_than" and bound == 0:
            return f"must be a positive {noun}"
        if kind == "greater_than_equal" and bound == 0:
            return f"must be a non-negative {noun}"
        return f"must be a {noun} {'>' if kind == 'greater_than' else '>='} {bound}"
    if kind in {"less_than", "less_than_equal"}:
        bound = ctx.get("lt", ctx.get("le"))
        return f"must be {'<' if kind == 'less_than' else '<='} {bound}"
    if kind in {"literal_error", "enum"}:
        return f"must be {ctx.get('expected', 'one of the allowed values')}"
    simple = {
        "int_type": "must be a whole number",
        "int_parsing": "must be a whole number",
        "int_from_float": "must be a whole number (no fractional part)",
        "float_type": "must be a number",
        "float_parsing": "must be a number",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
        "string_type": "must be text; quote it if it looks like a number",
        "model_type": "must be a mapping of keys to values",
        "model_attributes_type": "must be a mapping of keys to values",
        "dict_type": "must be a mapping of keys to values",
        "list_type": "must be a list",
        "value_error": "change the values so that this condition holds",
        "assertion_error": "change the values so that this condition holds",
    }
    return simple.get(kind)


def _unknown_key_fix(loc: tuple[int | str, ...], model: type[BaseModel] | None) -> str:
    name = str(loc[-1]) if loc else ""
    owner = _model_at(model, loc[:-1]) if model is not None else None
    if owner is None:
        return f"remove '{name}' or check its spelling"
    allowed = ", ".join(sorted(owner.model_fields))
    close = difflib.get_close_matches(name, list(owner.model_fields), n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"rename or remove '{name}'{hint} — allowed keys here: {allowed}"


def _is_int_field(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> bool:
    if model is None or not loc or not isinstance(loc[-1], str):
        return False
    owner = _model_at(model, loc[:-1])
    if owner is None or loc[-1] not in owner.model_fields:
        return False
    annotation = owner.model_fields[loc[-1]].annotation
    return any(arg is int for arg in _flatten(annotation))


def _model_at(model: type[BaseModel] | None, loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that holds the keys found at `loc` inside `model`, when one can tell."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # a list index: the item type is already among the candidates
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        candidates = [
            arg
            for arg in _flatten(field.annotation)
            if isinstance(arg, type) and issubclass(arg, BaseModel)
        ]
        current = candidates[0] if len(candidates) == 1 else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _flatten(annotation: Any) -> list[Any]:
    """An annotation's leaf types, through Optional, unions, lists and dict values."""
    origin = get_origin(annotation)
    if origin is None:
        return [annotation]
    if origin in (Union, types.UnionType, list, tuple, set, frozenset, Sequence):
        return [leaf for arg in get_args(annotation) for leaf in _flatten(arg)]
    if origin is dict:
        return _flatten(get_args(annotation)[-1])
    # Annotated[...] and constrained types: the first argument is the underlying type.
    args = get_args(annotation)
    return _flatten(args[0]) if args else [annotation]
