"""The Dask worker plugin of ``kb tag`` (imported only when Dask runs the tagging)."""

from __future__ import annotations

from typing import Any

from distributed import WorkerPlugin

from nlp import tag_worker
from nlp.tag_worker import WorkerState


class StatePlugin(WorkerPlugin):
    """Gives each Dask worker the tagging state once, before its first task."""

    def __init__(self, state: WorkerState) -> None:
        self.state = state

    def setup(self, worker: Any) -> None:
        tag_worker.install(self.state)
        tag_worker.warm_up()
