"""Executors: where a search's chunks run (this process, or a Ray cluster)."""

from __future__ import annotations

from rackforge.codesign.search import Executor, InProcess
from rackforge.errors import InputError

__all__ = ["executor_named"]


def executor_named(name: str) -> Executor:
    """`local` (default, in-process) or `ray` (RACKFORGE_RAY_ADDRESS or a local cluster)."""
    if name == "local":
        return InProcess()
    if name == "ray":
        from rackforge.executors.ray_executor import RayExecutor

        ray_executor: Executor = RayExecutor.connect()
        return ray_executor
    raise InputError(f"unknown executor {name!r}", where="--executor", fix="use local or ray")
