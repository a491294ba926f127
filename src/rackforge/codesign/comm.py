"""Collective communication on a two-tier network, vectorised over candidates.

Ring cost model (Thakur et al. 2005, "Optimization of Collective Communication Operations in
MPICH"; NCCL's bus-bandwidth convention in nccl-tests PERFORMANCE.md): an all-reduce of S
bytes over n ranks moves 2(n-1)/n·S through every rank. A group that spans scale-up domains,
with k of its ranks in each domain, runs one ring channel per NIC: each rank's share crosses
its scale-up links and, pipelined with them, the k NICs of its domain, so the slower of the
two sets the pace — bus bandwidth min(B_up, k·B_out), as multi-node nccl-tests show (two
DGX A100 with 8 HDR NICs each reach ~190 GB/s, not one NIC's 25 GB/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rackforge.codesign.candidates import FloatArray, IntArray
from rackforge.codesign.profile import EfficiencyProfile


@dataclass(frozen=True, slots=True)
class Network:
    """Effective per-GPU bandwidths (bytes/s) and latencies (s) of both tiers."""

    up_bytes_s: FloatArray
    out_bytes_s: FloatArray
    up_latency_s: float
    out_latency_s: float
    domain: IntArray

    @staticmethod
    def of(
        scale_up_size: IntArray,
        scale_up_gb_s: FloatArray,
        scale_out_gb_s: FloatArray,
        profile: EfficiencyProfile,
    ) -> Network:
        return Network(
            up_bytes_s=scale_up_gb_s * 1e9 * profile.scale_up_efficiency,
            out_bytes_s=scale_out_gb_s * 1e9 * profile.scale_out_efficiency,
            up_latency_s=profile.scale_up_latency_s,
            out_latency_s=profile.scale_out_latency_s,
            domain=scale_up_size,
        )

    def local_ranks(self, n: IntArray, stride: IntArray) -> IntArray:
        """Ranks of a group (n ranks, `stride` apart in rank order) inside one domain."""
        local: IntArray = np.clip(self.domain // stride, 1, n)
        return local

    def all_reduce(self, size: FloatArray, n: IntArray, stride: IntArray) -> FloatArray:
        """Time of an all-reduce of `size` bytes over `n` ranks."""
        k = self.local_ranks(n, stride)
        nodes = n // k
        bus = np.where(
            nodes > 1, np.minimum(self.up_bytes_s, k * self.out_bytes_s), self.up_bytes_s
        )
        # NCCL picks rings or trees (NVLS inside NVSwitch domains); the latency term grows with
        # the shorter of 2(n-1) ring steps and 2⌈log2 n⌉ tree steps, per tier.
        latency = _steps(k) * self.up_latency_s + np.where(
            nodes > 1, _steps(nodes) * self.out_latency_s, 0.0
        )
        return np.where(n > 1, 2.0 * (n - 1) / n * size / bus + latency, 0.0)

    def reduce_scatter(self, size: FloatArray, n: IntArray, stride: IntArray) -> FloatArray:
        """Reduce-scatter (or all-gather) of `size` bytes: half an all-reduce."""
        return 0.5 * self.all_reduce(size, n, stride)

    def all_to_all(self, size: FloatArray, n: IntArray, stride: IntArray) -> FloatArray:
        """All-to-all where each rank sends `size` bytes spread evenly over the group."""
        k = self.local_ranks(n, stride)
        # The in-domain and cross-domain shares travel at once, over different links.
        t = size * np.maximum((k - 1) / n / self.up_bytes_s, (n - k) / n / self.out_bytes_s)
        lat = np.where(n > k, self.out_latency_s, self.up_latency_s) * np.log2(np.maximum(n, 1))
        return np.where(n > 1, t + lat, 0.0)

    def send(self, size: FloatArray, inside_domain: np.ndarray) -> FloatArray:
        """Point-to-point transfer of `size` bytes between neighbours."""
        return np.where(
            inside_domain,
            size / self.up_bytes_s + self.up_latency_s,
            size / self.out_bytes_s + self.out_latency_s,
        )


def _steps(n: IntArray) -> FloatArray:
    """Latency steps of an all-reduce over n participants (ring or tree, whichever is fewer)."""
    # Group sizes are small integers: look them up in a table instead of taking logs of
    # every candidate's value.
    sizes = np.arange(int(n.max(initial=1)) + 1, dtype=np.float64)
    table = np.minimum(2.0 * (sizes - 1), 2.0 * np.ceil(np.log2(np.maximum(sizes, 1))))
    steps: FloatArray = table[np.maximum(n, 1)]
    return steps
