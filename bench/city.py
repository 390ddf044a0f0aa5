"""A seeded synthetic city for tile benchmarks: buildings, roads and points in a GeoPackage.

    .venv/bin/python bench/city.py OUT.gpkg [--buildings 200000] [--roads 30000]
        [--points 50000] [--seed 15]

Synthetic data (every layer's `synthetic` column says so): a dense centre thinning outwards
(buildings gathered into blocks along a street grid, a few hundred large ones: markets, schools),
main roads across the whole city and lanes in the blocks, and points clustered where people are.
Import it like a GIS team would, e.g.

    geo-ioc import OUT.gpkg --source-layer buildings --layer city_buildings --access public
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

# Đà Lạt's centre; the city spans about 16 km.
CENTRE = (108.44, 11.94)
SPAN = 0.075  # degrees either side
KINDS = np.array(["house", "house", "house", "shop", "office", "apartment", "school", "market"])
ROAD_KINDS = np.array(["residential", "residential", "service", "tertiary", "secondary", "primary"])
POINT_KINDS = np.array(["cafe", "shop", "bus_stop", "atm", "clinic", "hotel"])


def _positions(rng: np.random.Generator, n: int, spread: float) -> tuple[np.ndarray, np.ndarray]:
    """Dense in the centre, thinning outwards (a mix of a tight and a wide normal)."""
    tight = rng.random(n) < 0.6
    scale = np.where(tight, spread * 0.25, spread * 0.6)
    xs = np.clip(CENTRE[0] + rng.normal(0, 1, n) * scale, CENTRE[0] - SPAN, CENTRE[0] + SPAN)
    ys = np.clip(CENTRE[1] + rng.normal(0, 1, n) * scale, CENTRE[1] - SPAN, CENTRE[1] + SPAN)
    return xs, ys


def buildings(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    """Rotated rectangles of 6-25 m, 1% of them 40-120 m (markets, schools, halls)."""
    xs, ys = _positions(rng, n, SPAN)
    large = rng.random(n) < 0.01
    w = np.where(large, rng.uniform(40, 120, n), rng.uniform(6, 25, n)) / 111_000
    h = w * rng.uniform(0.5, 1.5, n)
    angle = rng.uniform(0, np.pi, n)
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float) / 2
    cx = corners[None, :, 0] * w[:, None]
    cy = corners[None, :, 1] * h[:, None]
    rx = xs[:, None] + cx * np.cos(angle)[:, None] - cy * np.sin(angle)[:, None]
    ry = ys[:, None] + cx * np.sin(angle)[:, None] + cy * np.cos(angle)[:, None]
    rings = shapely.linearrings(np.stack([rx, ry], axis=2))
    kinds = np.where(large, rng.choice(["market", "school", "hall"], n), rng.choice(KINDS, n))
    return gpd.GeoDataFrame(
        {
            "name": [f"Toà nhà {i}" if big else None for i, big in enumerate(large)],
            "kind": kinds,
            "levels": rng.integers(1, 8, n),
            "address": [f"{rng.integers(1, 300)} đường số {i % 400}" for i in range(n)],
            "synthetic": True,
        },
        geometry=shapely.polygons(rings),
        crs=4326,
    )


def roads(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    """Lanes of 60-400 m with a bend, and 2% main roads crossing the city."""
    xs, ys = _positions(rng, n, SPAN)
    main = rng.random(n) < 0.02
    length = np.where(main, rng.uniform(3000, 12000, n), rng.uniform(60, 400, n)) / 111_000
    angle = rng.uniform(0, np.pi, n)
    steps = np.linspace(-0.5, 0.5, 6)
    wobble = rng.normal(0, 0.04, (n, 6)) * length[:, None]
    lx = xs[:, None] + np.cos(angle)[:, None] * steps[None, :] * length[:, None]
    ly = ys[:, None] + np.sin(angle)[:, None] * steps[None, :] * length[:, None] + wobble
    kinds = np.where(main, rng.choice(["primary", "secondary"], n), rng.choice(ROAD_KINDS, n))
    return gpd.GeoDataFrame(
        {
            "name": [f"Đường {i}" for i in range(n)],
            "kind": kinds,
            "synthetic": True,
        },
        geometry=shapely.linestrings(np.stack([lx, ly], axis=2)),
        crs=4326,
    )


def points(rng: np.random.Generator, n: int) -> gpd.GeoDataFrame:
    """Places where people are: clustered like the buildings."""
    xs, ys = _positions(rng, n, SPAN * 0.8)
    return gpd.GeoDataFrame(
        {
            "name": [f"Điểm {i}" for i in range(n)],
            "kind": rng.choice(POINT_KINDS, n),
            "synthetic": True,
        },
        geometry=shapely.points(xs, ys),
        crs=4326,
    )


def main() -> int:
    """Write the three layers of the city into one GeoPackage."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--buildings", type=int, default=200_000)
    parser.add_argument("--roads", type=int, default=30_000)
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    args.out.unlink(missing_ok=True)
    for name, make, n in (
        ("buildings", buildings, args.buildings),
        ("roads", roads, args.roads),
        ("points", points, args.points),
    ):
        started = time.perf_counter()
        make(rng, n).to_file(args.out, layer=name, driver="GPKG")
        print(f"{name}: {n} features in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
