"""The exception tree of RackForge.

RackForgeError                 root: anything RackForge raises on purpose
├── InputError                 bad input a user can fix (exit code 2): names where and how
│   └── UnknownNameError       a catalog name (accelerator, model, profile) that does not exist
└── InfeasibleError            a well-formed request with no valid answer (nothing fits in memory)
"""

from __future__ import annotations


class RackForgeError(Exception):
    """Root of every error RackForge raises on purpose."""


class InputError(RackForgeError):
    """Bad input: says what was wrong, where (file, row, key) and how to fix it."""

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        """The whole error on one line, for stderr."""
        parts = [f"{self.where}: {self.message}" if self.where else self.message]
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return " — ".join(parts)

    def located(self, where: str) -> InputError:
        """The same error with an outer location (a file name) put in front."""
        inner = f"{where}:{self.where}" if self.where else where
        return type(self)(self.message, where=inner, fix=self.fix)


class UnknownNameError(InputError):
    """A name that is not in the catalog."""


class InfeasibleError(RackForgeError):
    """The request is valid but nothing satisfies it (e.g. no configuration fits in memory)."""
