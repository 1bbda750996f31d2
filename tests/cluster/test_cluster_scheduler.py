"""The scheduler switch: local pools, a LocalCluster on loopback, and a scheduler that does not answer."""

import time

import dask
import pytest

from binhai_geo.cluster.scheduler import ClusterError, check_scheduler, open_scheduler


def _square(x: int) -> int:
    return x * x


@pytest.mark.parametrize("name", ["sync", "threads", "processes"])
def test_local_schedulers_compute_in_order_and_report_progress(name):
    tasks = [dask.delayed(_square)(i) for i in range(6)]
    seen = []
    with open_scheduler(name) as ex:
        assert ex.compute(tasks, seen.append) == [0, 1, 4, 9, 16, 25]
    assert seen == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("bad", ["", "fast", "http//x", "tcp:/nohost"])
def test_bad_scheduler_names_are_refused(bad):
    with pytest.raises(ClusterError, match="not a scheduler"):
        check_scheduler(bad)


def test_scheduler_that_does_not_answer_fails_within_seconds():
    t0 = time.monotonic()
    with pytest.raises(ClusterError, match="did not answer within 1 s"), open_scheduler("tcp://127.0.0.1:9", timeout_s=1):
        pass
    assert time.monotonic() - t0 < 15  # a clear error, not a hang (generous bound for slow CI)


def test_local_cluster_on_loopback(local_cluster):
    tasks = [dask.delayed(_square)(i) for i in range(5)]
    seen = []
    with open_scheduler(local_cluster) as ex:
        assert ex.workers == 2
        assert ex.compute(tasks, seen.append) == [0, 1, 4, 9, 16]
    assert sorted(seen) == [1, 2, 3, 4, 5]


def _boom(x: int) -> int:
    raise RuntimeError(f"worker failure on {x}")


def test_failed_task_on_cluster_is_a_clear_error(local_cluster):
    with open_scheduler(local_cluster) as ex, pytest.raises(ClusterError, match="nothing was written"):
        ex.compute([dask.delayed(_boom)(1)])
