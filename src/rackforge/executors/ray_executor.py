"""Run search chunks on a Ray cluster: the same chunk function as in-process, remote.

Connects to `RACKFORGE_RAY_ADDRESS` (e.g. `ray://head:10001` or `auto`) or starts a local
Ray runtime. Ray is an optional dependency (`pip install rackforge[ray]`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from rackforge.errors import InputError

T = TypeVar("T")
R = TypeVar("R")


class RayExecutor:
    """Maps a function over items as Ray tasks; results come back in item order."""

    def __init__(self, ray_module: Any) -> None:
        self._ray = ray_module

    @staticmethod
    def connect(address: str | None = None, num_cpus: int | None = None) -> RayExecutor:
        try:
            import ray  # noqa: PLC0415 (optional dependency)
        except ImportError:
            raise InputError(
                "the Ray executor needs the `ray` package",
                where="--executor",
                fix="pip install 'rackforge[ray]' or use --executor local",
            ) from None
        if not ray.is_initialized():
            target = address or os.environ.get("RACKFORGE_RAY_ADDRESS")
            ray.init(
                address=target,
                num_cpus=None if target else num_cpus,
                include_dashboard=False,
                log_to_driver=False,
                ignore_reinit_error=True,
            )
        return RayExecutor(ray)

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[R]:
        remote = self._ray.remote(fn)
        refs = [remote.remote(item) for item in items]
        pending = list(refs)
        while pending:
            _, pending = self._ray.wait(pending, num_returns=1)
            if progress:
                progress(len(refs) - len(pending), len(refs))
        return list(self._ray.get(refs))

    def shutdown(self) -> None:
        self._ray.shutdown()
