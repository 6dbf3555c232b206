"""Child processes that die with the process that started them.

A child (``mkdocs build``, a ``kb tag`` pool worker) is armed with
``PR_SET_PDEATHSIG``: the kernel kills it when its parent dies, however the
parent dies (``kill -9`` included).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1
libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn``: the child gets SIGKILL when the process that started it dies.

    A parent killed between the fork and the ``prctl`` call would leave the child an
    orphan that never gets the signal, so the child checks afterwards that its parent
    is still the process that started it, and exits at once if not.
    """
    parent = os.getpid()

    def arm() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return arm
