"""`geo-ioc serve --workers N`: N uvicorn processes, each listening on its own SO_REUSEPORT socket.

uvicorn's own `--workers` binds one socket in the parent and every worker accepts from it:
whichever process wakes first takes the connection, so a few long-lived keep-alive connections
(a map client, a proxy's pool) sit unevenly on the workers (9 : 23 measured on two). Here each
worker binds the address itself with SO_REUSEPORT, and the kernel hashes every new connection to
one of the sockets: connections spread over the workers independently of which one is busy.
The parent only starts the workers, starts again one that dies, and stops them all on SIGINT or
SIGTERM (each finishes its requests: uvicorn's graceful shutdown).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from typing import Any

log = logging.getLogger("geo_ioc.serve")
# Listen backlog of each worker's socket (uvicorn's default).
BACKLOG = 2048


def reuse_port_supported() -> bool:
    """Whether the platform balances connections over SO_REUSEPORT sockets (Linux does)."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A bound, listening TCP socket on host:port (SO_REUSEPORT when asked)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host.strip("[]"), port))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def _worker(app: str, host: str, port: int, options: dict[str, Any]) -> None:
    """One server process: its own socket, one uvicorn server on it."""
    import uvicorn

    sock = listening_socket(host, port, reuse_port=True)
    config = uvicorn.Config(app, host=host, port=port, workers=1, **options)
    uvicorn.Server(config).run(sockets=[sock])


def serve(app: str, host: str, port: int, workers: int, options: dict[str, Any]) -> int:
    """Run `workers` server processes on host:port until SIGINT or SIGTERM; returns 0."""
    # Fail now, in one process, when something else holds the port (bound without
    # SO_REUSEPORT, this probe fails even against another SO_REUSEPORT listener).
    listening_socket(host, port, reuse_port=False).close()
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> BaseProcess:
        process = context.Process(
            target=_worker, args=(app, host, port, options), name="geo-ioc-worker", daemon=False
        )
        process.start()
        return process

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    processes = [start() for _ in range(workers)]
    log.info("%s workers on %s:%s (one SO_REUSEPORT socket each)", workers, host, port)
    try:
        while not stopping:
            time.sleep(0.5)
            for i, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.warning(
                        "worker %s ended (code %s); starting another", process.pid, process.exitcode
                    )
                    processes[i] = start()
    finally:
        for process in processes:
            if process.is_alive() and process.pid is not None:
                process.terminate()  # SIGTERM: uvicorn shuts down gracefully
        for process in processes:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
