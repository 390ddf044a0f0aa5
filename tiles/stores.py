"""Where cached tiles live: Redis (shared by every server process, and by nginx) or memory.

A cached tile is addressed by a *prefix* (the composite layer list and the field variant) and
its z/x/y. Besides the tiles, a store keeps two indexes so that invalidation can find exactly the
cached tiles of a layer: the prefixes each layer appears in, and the x/y cached per prefix and zoom.
Each layer also has an *epoch*, bumped before its tiles are dropped; a render only lands in the
cache if the epochs it started with are unchanged, so a tile rendered from a snapshot older than
a change can never be stored after that change's invalidation.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar, override

from tiles.bodies import CachedTile

Coord = tuple[int, int]
# What a store holds: the tile itself in memory, its encoded bytes elsewhere.
Value = bytes | CachedTile
KEY_PREFIX = "geoioc:tiles"
# Lifetime of a cached tile; invalidation is exact, this only bounds memory for cold corners.
TTL_SECONDS = 7 * 24 * 3600


def tile_key(prefix: str, z: int, x: int, y: int) -> str:
    """The key of one cached tile (nginx computes the same for anonymous requests)."""
    return f"{KEY_PREFIX}:t:{prefix}:{z}/{x}/{y}"


def _zoom_key(prefix: str, z: int) -> str:
    return f"{KEY_PREFIX}:z:{prefix}:{z}"


def _prefixes_key(layer: str) -> str:
    return f"{KEY_PREFIX}:p:{layer}"


def _epoch_key(layer: str) -> str:
    return f"{KEY_PREFIX}:e:{layer}"


_CURSOR_KEY = f"{KEY_PREFIX}:cursor"


class Store(ABC):
    """The primitives the tile cache needs; values are tiles (in memory) or their bytes."""

    # Reads are memory lookups that never wait on I/O (safe to call from an event loop).
    in_process: ClassVar[bool] = False

    @abstractmethod
    def get(self, prefix: str, z: int, x: int, y: int) -> Value | None:
        """A cached value, or None."""

    @abstractmethod
    def put(
        self,
        prefix: str,
        layers: Sequence[str],
        z: int,
        x: int,
        y: int,
        value: Value,
        epochs: Sequence[int],
    ) -> bool:
        """Store unless one of the layers' epochs moved since `epochs` was read."""

    @abstractmethod
    def epochs(self, layers: Sequence[str]) -> list[int]:
        """Current epoch of each layer."""

    @abstractmethod
    def bump(self, layers: Iterable[str]) -> None:
        """Advance the layers' epochs (before dropping their tiles)."""

    @abstractmethod
    def prefixes(self, layer: str) -> set[str]:
        """Every prefix with cached tiles that include the layer."""

    @abstractmethod
    def cached(self, prefix: str, z: int) -> set[Coord]:
        """x/y of the tiles cached under a prefix at zoom z."""

    @abstractmethod
    def drop(self, prefix: str, z: int, coords: Iterable[Coord]) -> int:
        """Delete those tiles; returns how many were there."""

    @abstractmethod
    def cursor(self) -> int | None:
        """Id of the last change applied to this store (None: never)."""

    @abstractmethod
    def set_cursor(self, value: int) -> None:
        """Record the last change applied."""

    @abstractmethod
    def clear(self) -> int:
        """Forget every tile and index; returns the number of tiles dropped."""


def _size(value: Value) -> int:
    return value.size() if isinstance(value, CachedTile) else len(value)


class LocalStore(Store):
    """In-process store of tile objects with a byte budget (least recently used go first)."""

    in_process = True

    def __init__(self, max_bytes: int = 256 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._tiles: OrderedDict[tuple[str, int, int, int], Value] = OrderedDict()
        self._bytes = 0
        self._zooms: dict[tuple[str, int], set[Coord]] = {}
        self._prefixes: dict[str, set[str]] = {}
        self._epochs: dict[str, int] = {}
        self._cursor: int | None = None
        self._lock = threading.Lock()

    @override
    def get(self, prefix: str, z: int, x: int, y: int) -> Value | None:
        key = (prefix, z, x, y)
        with self._lock:
            value = self._tiles.get(key)
            if value is not None:
                self._tiles.move_to_end(key)
            return value

    @override
    def put(
        self,
        prefix: str,
        layers: Sequence[str],
        z: int,
        x: int,
        y: int,
        value: Value,
        epochs: Sequence[int],
    ) -> bool:
        with self._lock:
            if [self._epochs.get(layer, 0) for layer in layers] != list(epochs):
                return False
            key = (prefix, z, x, y)
            old = self._tiles.pop(key, None)
            self._bytes += _size(value) - (_size(old) if old is not None else 0)
            self._tiles[key] = value
            self._zooms.setdefault((prefix, z), set()).add((x, y))
            for layer in layers:
                self._prefixes.setdefault(layer, set()).add(prefix)
            while self._bytes > self.max_bytes and self._tiles:
                (p, zz, xx, yy), evicted = self._tiles.popitem(last=False)
                self._bytes -= _size(evicted)
                self._zooms.get((p, zz), set()).discard((xx, yy))
            return True

    @override
    def epochs(self, layers: Sequence[str]) -> list[int]:
        with self._lock:
            return [self._epochs.get(layer, 0) for layer in layers]

    @override
    def bump(self, layers: Iterable[str]) -> None:
        with self._lock:
            for layer in layers:
                self._epochs[layer] = self._epochs.get(layer, 0) + 1

    @override
    def prefixes(self, layer: str) -> set[str]:
        with self._lock:
            return set(self._prefixes.get(layer, ()))

    @override
    def cached(self, prefix: str, z: int) -> set[Coord]:
        with self._lock:
            return set(self._zooms.get((prefix, z), ()))

    @override
    def drop(self, prefix: str, z: int, coords: Iterable[Coord]) -> int:
        dropped = 0
        with self._lock:
            index = self._zooms.get((prefix, z), set())
            for x, y in coords:
                value = self._tiles.pop((prefix, z, x, y), None)
                index.discard((x, y))
                if value is not None:
                    self._bytes -= _size(value)
                    dropped += 1
        return dropped

    @override
    def cursor(self) -> int | None:
        return self._cursor

    @override
    def set_cursor(self, value: int) -> None:
        self._cursor = value

    @override
    def clear(self) -> int:
        with self._lock:
            dropped = len(self._tiles)
            self._tiles.clear()
            self._zooms.clear()
            self._prefixes.clear()
            self._bytes = 0
            self._epochs = {layer: n + 1 for layer, n in self._epochs.items()}
            return dropped


# Check the epochs and write the tile with its index entries in one atomic step.
# KEYS: tile, zoom index, n epoch keys, n prefix sets. ARGV: value, "x/y", ttl, prefix, n, epochs.
_PUT_SCRIPT = """
local n = tonumber(ARGV[5])
for i = 1, n do
  if (redis.call('GET', KEYS[2 + i]) or '0') ~= ARGV[5 + i] then return 0 end
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[3])
for i = 1, n do redis.call('SADD', KEYS[2 + n + i], ARGV[4]) end
return 1
"""


class RedisStore(Store):
    """Store in Redis, shared by all server processes and readable by nginx."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis: Any = redis.Redis.from_url(url)
        self._put = self.redis.register_script(_PUT_SCRIPT)

    @override
    def get(self, prefix: str, z: int, x: int, y: int) -> Value | None:
        value = self.redis.get(tile_key(prefix, z, x, y))
        return bytes(value) if value is not None else None

    @override
    def put(
        self,
        prefix: str,
        layers: Sequence[str],
        z: int,
        x: int,
        y: int,
        value: Value,
        epochs: Sequence[int],
    ) -> bool:
        if isinstance(value, CachedTile):
            value = value.encode()
        keys = [
            tile_key(prefix, z, x, y),
            _zoom_key(prefix, z),
            *[_epoch_key(layer) for layer in layers],
            *[_prefixes_key(layer) for layer in layers],
        ]
        args: list[bytes | str | int] = [
            value,
            f"{x}/{y}",
            TTL_SECONDS,
            prefix,
            len(layers),
            *[str(e) for e in epochs],
        ]
        return bool(self._put(keys=keys, args=args))

    @override
    def epochs(self, layers: Sequence[str]) -> list[int]:
        values = self.redis.mget([_epoch_key(layer) for layer in layers])
        return [int(v) if v is not None else 0 for v in values]

    @override
    def bump(self, layers: Iterable[str]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for layer in layers:
            pipe.incr(_epoch_key(layer))
        pipe.execute()

    @override
    def prefixes(self, layer: str) -> set[str]:
        return {m.decode() for m in self.redis.smembers(_prefixes_key(layer))}

    @override
    def cached(self, prefix: str, z: int) -> set[Coord]:
        out: set[Coord] = set()
        for member in self.redis.smembers(_zoom_key(prefix, z)):
            x, _, y = member.decode().partition("/")
            out.add((int(x), int(y)))
        return out

    @override
    def drop(self, prefix: str, z: int, coords: Iterable[Coord]) -> int:
        coords = list(coords)
        if not coords:
            return 0
        pipe = self.redis.pipeline(transaction=False)
        pipe.delete(*[tile_key(prefix, z, x, y) for x, y in coords])
        pipe.srem(_zoom_key(prefix, z), *[f"{x}/{y}" for x, y in coords])
        dropped, _ = pipe.execute()
        return int(dropped)

    @override
    def cursor(self) -> int | None:
        value = self.redis.get(_CURSOR_KEY)
        return int(value) if value is not None else None

    @override
    def set_cursor(self, value: int) -> None:
        self.redis.set(_CURSOR_KEY, value)

    @override
    def clear(self) -> int:
        dropped = 0
        for key in self.redis.scan_iter(match=f"{KEY_PREFIX}:*", count=1000):
            name = key.decode()
            if name.startswith(f"{KEY_PREFIX}:e:"):
                self.redis.incr(name)  # renders in flight must not land after a purge
            elif name != _CURSOR_KEY:
                dropped += name.startswith(f"{KEY_PREFIX}:t:")
                self.redis.delete(name)
        return dropped
