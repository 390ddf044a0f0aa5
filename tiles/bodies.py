"""A rendered tile in the forms it is served in: plain MVT bytes and, when wanted, gzipped.

Compression is paid for once and only where it pays: a tile going into the cache is gzipped in
the render thread (a hit is then served as it is, for either encoding, with no work in the
event loop); without the cache a tile is gzipped only for a client that accepts gzip. The level
is a cheap one (`GEO_IOC_TILE_GZIP_LEVEL`, 1 by default): on MVT it costs a fraction of level 6
for a few percent more bytes. Levels 1-3 are ISA-L's (`isal`, the same gzip format): at level 1
it compresses a 200k-building city's tiles about 4.5 times faster than zlib's level 1, to the
same size; levels 4-9 are zlib's. Nothing is ever gzipped to be gunzipped again, except a Redis hit
asked for without gzip (Redis holds the gzipped form nginx serves).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

from django.conf import settings
from isal import isal_zlib

# The digest is 31 hex characters of the plain tile's SHA-256 and one digit: how many steps of
# stricter generalisation the size budget took (`tiles.queries.render_tile`). nginx reads the
# 32 characters as the ETag; the digit keeps a squeezed tile's tag distinct.
DIGEST_CHARS = 32
# The highest gzip level ISA-L offers; above it zlib compresses.
ISAL_MAX_LEVEL = 3


def gzip_bytes(body: bytes) -> bytes:
    """Gzip (RFC 1952) at the configured level, with a zero mtime so equal tiles compress equal."""
    level = settings.GEO_IOC_TILE_GZIP_LEVEL
    if level <= ISAL_MAX_LEVEL:
        fast = isal_zlib.compressobj(level, isal_zlib.DEFLATED, 31)
        return bytes(fast.compress(body) + fast.flush())
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(body) + compressor.flush()


@dataclass
class CachedTile:
    """A tile: its plain bytes and/or its gzipped bytes, the digest, the budget's squeeze."""

    digest: str
    plain_bytes: bytes | None = None
    gzipped_bytes: bytes | None = None
    squeeze: int = 0

    @property
    def empty(self) -> bool:
        """An empty tile (answered with 204)."""
        return not (self.plain_bytes or self.gzipped_bytes)

    @property
    def gzipped(self) -> bytes:
        """The gzipped tile (compressed now if it was not yet)."""
        if self.gzipped_bytes is None:
            self.gzipped_bytes = gzip_bytes(self.plain_bytes) if self.plain_bytes else b""
        return self.gzipped_bytes

    def plain(self) -> bytes:
        """The uncompressed MVT bytes."""
        if self.plain_bytes is None:
            raw = self.gzipped_bytes or b""
            self.plain_bytes = zlib.decompress(raw, 31) if raw else b""
        return self.plain_bytes

    def ready(self, gzip: bool) -> CachedTile:
        """Make the form a client wants (call off the event loop); returns self."""
        if gzip:
            _ = self.gzipped
        else:
            self.plain()
        return self

    def encode(self) -> bytes:
        """Stored form in Redis: the digest, then the gzipped body (nginx serves it as is)."""
        return self.digest.encode() + self.gzipped

    @classmethod
    def decode(cls, value: bytes) -> CachedTile:
        """Inverse of `encode`."""
        digest = value[:DIGEST_CHARS].decode()
        return cls(digest=digest, gzipped_bytes=value[DIGEST_CHARS:], squeeze=int(digest[-1]))

    @classmethod
    def of(cls, body: bytes, squeeze: int = 0, *, gzip: bool = False) -> CachedTile:
        """A freshly rendered tile, gzipped now only when asked to."""
        digest = hashlib.sha256(body).hexdigest()[: DIGEST_CHARS - 1] + str(min(squeeze, 9))
        tile = cls(digest=digest, plain_bytes=body, squeeze=squeeze)
        return tile.ready(True) if gzip else tile

    def size(self) -> int:
        """Bytes held in memory (for the in-process cache's budget)."""
        return len(self.plain_bytes or b"") + len(self.gzipped_bytes or b"") + DIGEST_CHARS
