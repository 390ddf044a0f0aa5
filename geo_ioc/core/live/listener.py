"""One PostgreSQL listener per process, for everything that follows the database live.

A single thread holds one LISTEN connection. On every committed entry of the event log (the
sequencer's NOTIFY), and every few seconds as a backstop, it wakes the process's subscribers:
each reads the log after its own cursor, so a notification that was missed (a dropped
connection, a restart) loses nothing — the next wake reads it. Other channels (the walls'
views, which are not logged) are handed their payloads as they arrive.

Subscribers that must see this process's own writes at once (the tile cache: read your
writes; the alert rules: an alert exists when the request that caused it returns) are also
woken right after each local commit (`after_commit`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from psycopg import sql

from geo_ioc.core.db import conninfo
from geo_ioc.core.live.events import CHANNEL, prune

log = logging.getLogger(__name__)
TICK_SECONDS = 0.5  # how soon a newly registered channel is listened to
POLL_SECONDS = 5.0  # the backstop: subscribers read the log this often even without a NOTIFY
SOON_SECONDS = 0.05  # a subscriber that found its reader busy is woken again this soon
PRUNE_SECONDS = 600.0
Wake = Callable[[], object]


@dataclass(frozen=True)
class _Subscriber:
    wake: Wake
    on_local_commit: bool
    # Each subscriber reads its cursor alone; a slow one (the rules, waiting for another
    # process) does not hold up the others (the live clients).
    lock: threading.Lock = field(default_factory=threading.Lock, compare=False)


_subscribers: list[_Subscriber] = []
_channels: dict[str, Callable[[str], None]] = {}
_register_lock = threading.Lock()
_local = threading.local()


def subscribe(wake: Wake, *, on_local_commit: bool = False) -> None:
    """Call `wake` (no arguments; it reads the log after its own cursor) on every new entry."""
    with _register_lock:
        if all(s.wake != wake for s in _subscribers):
            _subscribers.append(_Subscriber(wake, on_local_commit))


def on_notify(channel: str, handler: Callable[[str], None]) -> None:
    """Hand every notification on `channel` (not the event log's) to `handler`, in this thread."""
    _channels[channel] = handler
    if _listener is not None and _listener.is_alive():
        _listener.listen_more.set()


def wake_all(*, local_commit: bool = False) -> None:
    """Wake the subscribers now (all, or those that follow local commits).

    A commit made by a subscriber while it is being woken (the rules raising an alert) wakes
    nobody here: the listener hears of it like of any other commit.
    """
    if getattr(_local, "waking", False):
        return
    _local.waking = True
    try:
        for sub in list(_subscribers):
            if local_commit and not sub.on_local_commit:
                continue
            with sub.lock:
                try:
                    sub.wake()
                except Exception:  # one broken subscriber must not stop the others
                    log.exception("live subscriber %r failed", sub.wake)
    finally:
        _local.waking = False


def wake_soon() -> None:
    """Have the listener wake its subscribers again shortly (a busy reader held one back)."""
    if _listener is not None:
        _listener.soon.set()


def in_listener() -> bool:
    """Whether the caller runs in the listener's thread (not in a writer's)."""
    return threading.current_thread() is _listener


def follows_local_commits() -> bool:
    """Whether a subscriber of this process wants to hear of its own commits."""
    return any(s.on_local_commit for s in _subscribers)


def _wake_local() -> None:
    wake_all(local_commit=True)


def after_commit() -> None:
    """Wake this process's read-your-writes subscribers when the current transaction commits."""
    if not follows_local_commits():
        return
    if any(entry[1] is _wake_local for entry in connection.run_on_commit):
        return  # once per transaction is enough: each subscriber reads all that is new
    transaction.on_commit(_wake_local)


class _Listener(threading.Thread):
    def __init__(self) -> None:
        super().__init__(name="geo-ioc-listener", daemon=True)
        self.listen_more = threading.Event()
        self.channels: set[str] = set()
        self.heard = threading.Condition()
        self.soon = threading.Event()

    def run(self) -> None:
        last_wake = last_prune = 0.0
        while True:
            try:
                with psycopg.connect(conninfo(), autocommit=True) as conn:
                    self._listen(conn)
                    self._wake()  # whatever committed while we were not listening
                    last_wake = time.monotonic()
                    while True:
                        logged = self.soon.is_set()
                        tick = SOON_SECONDS if logged else TICK_SECONDS
                        self.soon.clear()
                        for note in conn.notifies(timeout=tick, stop_after=1):
                            logged |= self._dispatch(note)
                        # Whatever arrived meanwhile, without waiting: one wake serves them all.
                        for note in conn.notifies(timeout=0):
                            logged |= self._dispatch(note)
                        if self.listen_more.is_set():
                            self._listen(conn)
                        if logged or time.monotonic() - last_wake > POLL_SECONDS:
                            last_wake = time.monotonic()
                            self._wake()
                        if time.monotonic() - last_prune > PRUNE_SECONDS:
                            last_prune = time.monotonic()
                            self._run(lambda: prune(settings.GEO_IOC_EVENT_RETENTION_HOURS))
            except Exception:
                with self.heard:
                    self.channels.clear()
                log.exception("live listener lost its connection; retrying")
                time.sleep(1.0)

    def _listen(self, conn: psycopg.Connection) -> None:
        self.listen_more.clear()
        for channel in [CHANNEL, *_channels]:
            if channel not in self.channels:
                conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                with self.heard:
                    self.channels.add(channel)
                    self.heard.notify_all()

    def _dispatch(self, note: psycopg.Notify) -> bool:
        """Hand a notification to its channel's handler; True for the event log's."""
        if note.channel == CHANNEL:
            return True
        handler = _channels.get(note.channel)
        if handler is not None:
            try:
                handler(note.payload)
            except Exception:
                log.exception("handler of %s failed", note.channel)
        return False

    def _wake(self) -> None:
        self._run(wake_all)

    @staticmethod
    def _run(fn: Callable[[], object]) -> None:
        close_old_connections()
        try:
            fn()
        finally:
            connection.close()


_listener: _Listener | None = None
_start_lock = threading.Lock()


def start() -> None:
    """Start the process's listener once."""
    global _listener
    with _start_lock:
        if _listener is None or not _listener.is_alive():
            _listener = _Listener()
            _listener.start()


def wait_listening(channel: str, timeout: float) -> bool:
    """Block until the listener LISTENs on `channel` (False after `timeout` seconds)."""
    start()
    assert _listener is not None
    with _listener.heard:
        return _listener.heard.wait_for(lambda: channel in _listener.channels, timeout)
