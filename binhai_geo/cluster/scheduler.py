"""Choosing where a run executes: this machine, or a running ``dask.distributed`` cluster.

One switch, ``--scheduler`` on the CLI (``scheduler`` in a workflow's ``[cluster]`` table):

- ``sync``: one thread, in order (the default, and what tests compare against);
- ``threads`` / ``processes``: dask's local thread or process pool;
- an address such as ``tcp://10.0.0.5:8786``: a running ``dask.distributed`` scheduler, reached through
  :class:`distributed.Client`. A scheduler that does not answer within ``timeout_s`` gives a clear error
  (exit 2), not a hang.

The toolkit does no scheduling of its own: partitions become dask tasks and dask runs them.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from binhai_geo.errors import BinhaiGeoError

LOCAL_SCHEDULERS = ("sync", "threads", "processes")
_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[^\s]+$|^[A-Za-z0-9_.\-]+:\d{1,5}$")


class ClusterError(BinhaiGeoError):
    """The scheduler could not be reached, or a distributed run failed (nothing was written)."""


def check_scheduler(value: str) -> str:
    """Return ``value`` if it names a local scheduler or looks like a scheduler address.

    Raises
    ------
    ClusterError
        Naming the accepted forms.
    """
    if value in LOCAL_SCHEDULERS or _ADDRESS.match(value):
        return value
    raise ClusterError(
        f"'{value}' is not a scheduler",
        field="scheduler",
        hint="give sync, threads, processes, or the address of a running dask scheduler such as tcp://10.0.0.5:8786",
    )


@dataclass
class Executor:
    """Runs lists of dask tasks on the chosen scheduler, reporting each finished task.

    Attributes
    ----------
    name : str
        The scheduler as given (``sync``, ``threads``, ``processes`` or an address).
    client : distributed.Client or None
        The client of a distributed run.
    """

    name: str
    client: Any = None

    @property
    def workers(self) -> int:
        """The number of workers (1 for ``sync``; the pool size for local pools)."""
        if self.client is not None:
            return max(1, len(self.client.scheduler_info().get("workers", {})))
        return 1 if self.name == "sync" else os.cpu_count() or 1

    def compute(self, tasks: Sequence[Any], on_done: Callable[[int], None] = lambda i: None) -> list[Any]:
        """Compute ``tasks`` (dask delayed objects) and return their results in order.

        Parameters
        ----------
        tasks : sequence of dask.delayed.Delayed
            Independent tasks (one per partition).
        on_done : callable
            Called with the number of tasks finished so far, as each finishes (for progress).

        Raises
        ------
        ClusterError
            When a task fails on a worker (for example a worker that died and used up its retries).
        """
        import dask

        if self.client is None:
            from dask.callbacks import Callback

            wanted = {t.key for t in tasks}
            done = [0]

            def _posttask(key: Any, *args: Any) -> None:
                if key in wanted:
                    done[0] += 1
                    on_done(done[0])

            # dask runs at most one task per pool worker at a time: memory is bounded by the pool size
            # times one partition.
            with Callback(posttask=_posttask):
                return list(dask.compute(*tasks, scheduler=self.name))
        from distributed import as_completed

        results: list[Any] = [None] * len(tasks)
        futures: list[Any] = []
        try:
            with self.client.as_current():
                futures = self.client.compute(list(tasks))
                index = {f.key: i for i, f in enumerate(futures)}
                for n, fut in enumerate(as_completed(futures), start=1):
                    results[index[fut.key]] = fut.result()
                    on_done(n)
        except Exception as exc:
            self.client.cancel(futures)
            raise ClusterError(
                f"a task failed on the cluster ({type(exc).__name__}: {exc}); nothing was written",
                hint="check the workers' logs; a worker killed for memory needs smaller partitions",
            ) from exc
        return results


@contextlib.contextmanager
def open_scheduler(value: str = "sync", *, timeout_s: float = 5.0) -> Iterator[Executor]:
    """Open the scheduler named by ``value`` for the duration of a ``with`` block.

    Parameters
    ----------
    value : str
        ``sync``, ``threads``, ``processes`` or a scheduler address.
    timeout_s : float
        How long to wait for a distributed scheduler to answer [s].

    Raises
    ------
    ClusterError
        When ``value`` is not a scheduler, or the scheduler does not answer in time.
    """
    check_scheduler(value)
    if value in LOCAL_SCHEDULERS:
        yield Executor(value)
        return
    from distributed import Client

    try:
        client = Client(value, timeout=f"{timeout_s}s", set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"the dask scheduler at {value} did not answer within {timeout_s:g} s ({exc})",
            field="scheduler",
            hint="start it (dask scheduler) and its workers, check the address and firewall, or use --scheduler sync",
        ) from None
    try:
        yield Executor(value, client)
    finally:
        client.close()
