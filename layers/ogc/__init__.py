"""OGC API – Features (Parts 1, 2 and 3): catalogue layers as collections, CQL2 filters."""
