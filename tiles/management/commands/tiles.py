"""`geo-ioc tiles seed|purge|sizes`: pre-render tiles, empty the cache, check tile sizes."""

from __future__ import annotations

import argparse
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from geo_ioc.core.errors import ApiError
from tiles import queries
from tiles.cache import TileCache, make_store
from tiles.seeding import BBox, parse_zooms, seed_tile, tiles_over, union_extent
from tiles.stores import LocalStore
from tiles.tms import parse_layer_list

# A tile above this is too big for a map wall that pans all day (and for the tests).
SIZE_CAP = 500 * 1024


def _bbox(raw: str | None) -> BBox | None:
    if raw is None:
        return None
    try:
        a, b, c, d = (float(v) for v in raw.split(","))
    except ValueError:
        raise CommandError("--bbox is minlon,minlat,maxlon,maxlat") from None
    return (a, b, c, d)


class Command(BaseCommand):
    """Tile cache chores."""

    help = "Seed the tile cache, purge it, or report tile sizes."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Action, layer lists, zooms, area."""
        parser.add_argument("action", choices=["seed", "purge", "sizes"])
        parser.add_argument(
            "--layers",
            nargs="+",
            default=[],
            help="Layer lists as requested, e.g. roads,buildings poi_tourism",
        )
        parser.add_argument("--zooms", default="10-16", help="e.g. 10-16 (default)")
        parser.add_argument("--bbox", help="minlon,minlat,maxlon,maxlat (default: layer extents)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        """Run the chosen action."""
        store = make_store()
        if opts["action"] == "purge":
            if store is None:
                raise CommandError("The tile cache is off (GEO_IOC_TILE_CACHE=off).")
            cache = TileCache(store)
            dropped = cache.purge_layers(self._slugs(opts)) if opts["layers"] else cache.purge()
            self.stdout.write(f"dropped {dropped} cached tiles")
            return
        if not opts["layers"]:
            raise CommandError("Name the layer lists with --layers.")
        if opts["action"] == "seed" and (store is None or isinstance(store, LocalStore)):
            raise CommandError(
                "Seeding needs a shared cache: set REDIS_URL (the in-process cache of a"
                " command would vanish with it)."
            )
        try:
            zooms = parse_zooms(opts["zooms"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        cache = TileCache(store or LocalStore())
        for raw in opts["layers"]:
            self._run(opts, cache, parse_layer_list(raw), zooms)

    def _slugs(self, opts: dict[str, Any]) -> set[str]:
        return {s for raw in opts["layers"] for s in parse_layer_list(raw)}

    def _run(self, opts: dict[str, Any], cache: TileCache, slugs: list[str], zooms: range) -> None:
        user = AnonymousUser()  # seeding fills what anyone may fetch
        try:
            entries = queries.resolve_layers(user, slugs)
        except ApiError as exc:
            raise CommandError(f"{','.join(slugs)}: {exc.message}") from None
        bbox = _bbox(opts["bbox"]) or union_extent(entries)
        if bbox is None:
            raise CommandError(f"{','.join(slugs)}: no extent; give --bbox")
        tiles = list(tiles_over(bbox, zooms))
        biggest: dict[int, int] = {}
        squeezed: dict[int, int] = {}
        label = ",".join(slugs)
        for tile in tqdm(tiles, desc=label, unit="tile", disable=opts["no_progress"]):
            if opts["action"] == "seed":
                size = seed_tile(cache, user, slugs, tile)
            else:
                body, squeeze = queries.render_budgeted(user, entries, tile)
                size = len(body)
                squeezed[tile.z] = squeezed.get(tile.z, 0) + (squeeze > 0)
            biggest[tile.z] = max(biggest.get(tile.z, 0), size)
        for z, size in sorted(biggest.items()):
            flag = "  OVER THE CAP" if size > SIZE_CAP else ""
            budget = f", {squeezed[z]} reduced by the size budget" if squeezed.get(z) else ""
            self.stdout.write(f"{label} z{z}: largest tile {size / 1024:.1f} KB{budget}{flag}")
