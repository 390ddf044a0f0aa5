"""Tasks that exist only for the tests, loaded by workers through GEO_IOC_JOBS_MODULES."""

from __future__ import annotations

import os
import time
from pathlib import Path

from geo_ioc.core import jobs


@jobs.task(name="tests.gated", queue="tests")
def gated(run: jobs.Run, folder: str) -> int:
    """Mark the attempt, wait (cancellable) until `folder/open` exists, then mark it done."""
    where = Path(folder)
    (where / f"attempt-{run.attempt}-{os.getpid()}").touch()
    while not (where / "open").exists():
        run.progress(0)
        time.sleep(0.05)
    (where / f"done-{run.attempt}-{os.getpid()}").touch()
    return run.attempt


@jobs.task(name="tests.flaky", queue="tests")
def flaky(run: jobs.Run, folder: str) -> int:
    """Fail on the first attempt, succeed on the next; each attempt notes when it started."""
    (Path(folder) / f"attempt-{run.attempt}").write_text(repr(time.time()))
    if run.attempt == 1:
        raise RuntimeError("the first attempt fails")
    return run.attempt
