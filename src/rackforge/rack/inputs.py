"""Guards on the plain numbers the rack formulas take, raising `InputError` that name the input.

The rack core is called with figures a designer or a catalog entry supplies; a negative load or
an efficiency above one is a mistake to report where it enters, not a number to compute with.
"""

from __future__ import annotations

import math

from rackforge.errors import InputError


def finite(name: str, value: float) -> float:
    """`value`, if it is a finite number."""
    if not math.isfinite(value):
        raise InputError(f"{name} is {value}, not a finite number", where=name)
    return float(value)


def non_negative(name: str, value: float) -> float:
    """`value`, if it is finite and at least zero."""
    if finite(name, value) < 0:
        raise InputError(f"{name} is {value}, below zero", where=name, fix="give a value ≥ 0")
    return float(value)


def positive(name: str, value: float) -> float:
    """`value`, if it is finite and above zero."""
    if finite(name, value) <= 0:
        raise InputError(f"{name} is {value}, not above zero", where=name, fix="give a value > 0")
    return float(value)


def fraction(name: str, value: float) -> float:
    """`value`, if it lies in [0, 1]."""
    if not 0.0 <= finite(name, value) <= 1.0:
        raise InputError(f"{name} is {value}, outside [0, 1]", where=name, fix="give a fraction")
    return float(value)


def conversion_efficiency(name: str, value: float) -> float:
    """`value`, if it lies in (0, 1]: a converter cannot put out more than it takes in."""
    if not 0.0 < finite(name, value) <= 1.0:
        raise InputError(
            f"{name} is {value}, outside (0, 1]",
            where=name,
            fix="give the efficiency as a fraction (96 % is 0.96)",
        )
    return float(value)


def count(name: str, value: int, *, minimum: int) -> int:
    """`value`, if it is an integer of at least `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InputError(
            f"{name} is {value!r}, not a whole number ≥ {minimum}",
            where=name,
            fix=f"give a whole number ≥ {minimum}",
        )
    return value
