"""spaCy's matrix products on numpy's BLAS: the same NER, about a quarter faster.

thinc's CPU backend multiplies matrices with its bundled ``blis``; on this machine class numpy's
OpenBLAS does the same products about three times faster (43 vs 128 GFLOPS, one thread, the
NER layers' shapes), and matrix products are a third of the recogniser's time. Models loaded
inside :func:`numpy_blas_ops` keep these ops for life. Entities are unchanged (identical on 640
BBC leads; docs/benchmarks.md, Crawl).

BLAS runs on one thread, as blis does: a crawl already runs one worker process per core, and
more threads per worker would only compete with them. The BLAS libraries are found once per
process: ``threadpool_limits`` looks for them again at every call (~3.5 ms, as much as tagging
a short article), and the crawl's workers tag a batch every dozen pages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

import numpy as np
from thinc.api import NumpyOps, get_current_ops, set_current_ops
from threadpoolctl import ThreadpoolController


class NumpyBlasOps(NumpyOps):
    """thinc's numpy backend with ``gemm`` done by ``numpy.matmul``."""

    def gemm(
        self,
        x: Any,
        y: Any,
        out: Any | None = None,
        trans1: bool = False,
        trans2: bool = False,
    ) -> Any:
        a = x.T if trans1 else x
        b = y.T if trans2 else y
        if out is None:
            return np.matmul(a, b)
        return np.matmul(a, b, out=out)


@contextmanager
def numpy_blas_ops() -> Iterator[None]:
    """Models created (e.g. ``spacy.load``) inside this block use :class:`NumpyBlasOps`."""
    previous = get_current_ops()
    set_current_ops(NumpyBlasOps())
    try:
        yield
    finally:
        set_current_ops(previous)


@cache
def _thread_pools() -> ThreadpoolController:
    """The thread pools of the libraries loaded now (numpy's and scipy's BLAS, by the time a
    model is used); a forked worker inherits the same libraries."""
    return ThreadpoolController()


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """BLAS limited to one thread while inside (how blis, spaCy's default, runs)."""
    with _thread_pools().limit(limits=1, user_api="blas"):
        yield
