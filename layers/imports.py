"""`geo-ioc import`: read a file, describe it as a layer, and load it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import geopandas as gpd

from layers.definitions import (
    AccessLevel,
    Domain,
    FieldDef,
    LayerDefinition,
    TableSource,
)
from layers.errors import ImportRejected, InvalidInput, RowError
from layers.ingest import (
    ImportReport,
    InvalidPolicy,
    Mode,
    column_name,
    infer_fields,
    infer_geometry_type,
    load_frame,
    normalise_columns,
)
from layers.models import Layer
from layers.readers import UNREAD_VALUES, ReadOptions, read_file

# Above this many rows the terminal shows a progress bar while rows are copied.
PROGRESS_FROM_ROWS = 5000


class Generalize(StrEnum):
    """Where a layer's per-zoom generalisation comes from after an import."""

    AUTO = "auto"  # derived from the data just loaded (`layers.generalise`)
    KEEP = "keep"  # the existing layer's rules, as they are
    OFF = "off"  # none (the serve-time size budget still bounds every tile)


@dataclass(frozen=True)
class LayerOptions:
    """What the caller says about the target layer; None keeps the existing value."""

    slug: str
    mode: Mode = Mode.CREATE
    invalid: InvalidPolicy = InvalidPolicy.REPAIR
    title_vi: str | None = None
    title_en: str | None = None
    domain: Domain | None = None
    access_level: AccessLevel | None = None
    min_zoom: int | None = None
    max_zoom: int | None = None
    attribution: str | None = None
    generalize: Generalize = Generalize.AUTO


@dataclass(frozen=True)
class ImportResult:
    """The report of a finished import, with what was read."""

    report: ImportReport
    source_crs: str
    layer: Layer


def _existing(slug: str, mode: Mode) -> Layer | None:
    layer = Layer.objects.filter(slug=slug).first()
    if layer is not None and not isinstance(layer.definition().source, TableSource):
        raise InvalidInput(
            f"Layer {slug!r} is backed by a model, not a table; it cannot be imported."
        )
    if layer is None and mode is Mode.APPEND:
        raise InvalidInput(f"Layer {slug!r} does not exist; append needs an existing layer.")
    return layer


def _append_fields(frame: gpd.GeoDataFrame, layer: Layer) -> list[FieldDef]:
    """Appended rows use the layer's fields; a column the layer lacks is an error, not lost."""
    fields = layer.field_defs()
    known = {f.name for f in fields}
    extra = [c for c in frame.columns if c != frame.geometry.name and c not in known]
    if extra:
        raise InvalidInput(
            f"Columns {', '.join(map(str, extra))} are not fields of layer {layer.slug!r}; "
            "import with --mode replace to change its fields."
        )
    return fields


def build_definition(
    frame: gpd.GeoDataFrame, opts: LayerOptions, existing: Layer | None
) -> LayerDefinition:
    """The layer definition for a (normalised) frame: the file's shape, the caller's words.

    An existing layer keeps its titles, style, access and zooms unless the caller changes them;
    its fields and geometry type follow the file on replace and bind the file on append.
    """
    base = existing.definition() if existing is not None else None
    geometry_type = infer_geometry_type(frame, promote=True)
    if opts.mode is Mode.APPEND and existing is not None and base is not None:
        fields = _append_fields(frame, existing)
        geometry_type = base.geometry_type
    else:
        # Field titles and access set by hand survive a replace when the name is unchanged.
        previous = {f.name: f for f in base.fields} if base else {}
        fields = [
            previous.get(f.name, f) if _same_type(previous.get(f.name), f) else f
            for f in infer_fields(frame)
        ]
    restyle = base is None or base.geometry_type.value.removeprefix(
        "Multi"
    ) != geometry_type.value.removeprefix("Multi")

    def pick[T](given: T | None, kept: T | None, default: T) -> T:
        return given if given is not None else kept if kept is not None else default

    title = opts.slug.replace("_", " ").capitalize()
    return LayerDefinition.model_validate(
        {
            "slug": opts.slug,
            "title_vi": pick(opts.title_vi, base and base.title_vi, title),
            "title_en": pick(opts.title_en, base and base.title_en, title),
            "domain": pick(opts.domain, base and base.domain, Domain.BASE),
            "geometry_type": geometry_type,
            "source": base.source if base else TableSource(table=opts.slug),
            "fields": fields,
            "min_zoom": pick(opts.min_zoom, base and base.min_zoom, 0),
            "max_zoom": pick(opts.max_zoom, base and base.max_zoom, 22),
            # No fragments: the catalogue's one default look (layers.styles) draws the layer.
            "style": [] if restyle or base is None else base.style,
            "attribution": pick(opts.attribution, base and base.attribution, ""),
            "access_level": pick(opts.access_level, base and base.access_level, AccessLevel.STAFF),
            "allowed_groups": base.allowed_groups if base else [],
            "synthetic": base.synthetic if base else False,
            "description": base.description if base else "",
            "sort_order": base.sort_order if base else 100,
            "generalize": base.generalize if base and opts.generalize is Generalize.KEEP else [],
        }
    )


def _same_type(old: FieldDef | None, new: FieldDef) -> bool:
    return old is not None and old.type == new.type


def import_file(
    path: Path, read: ReadOptions, opts: LayerOptions, *, progress: bool = True
) -> ImportResult:
    """Read `path` and load it into layer `opts.slug`; nothing changes if anything fails."""
    frame = read_file(path, read)
    if frame.empty:
        raise InvalidInput(f"{path.name} has no features.")
    source_crs = frame.crs.to_string() if frame.crs is not None else "unknown"
    unread = [
        RowError(row, f"field {column_name(col)}: {text!r} is not a valid date/time")
        for row, col, text in frame.attrs.get(UNREAD_VALUES, [])
    ]
    if unread and opts.invalid is InvalidPolicy.REJECT:
        raise ImportRejected(unread)
    frame = normalise_columns(frame)
    existing = _existing(opts.slug, opts.mode)
    defn = build_definition(frame, opts, existing)
    report = load_frame(
        frame,
        defn,
        mode=opts.mode,
        invalid=opts.invalid,
        progress=progress and len(frame) >= PROGRESS_FROM_ROWS,
        derive=opts.generalize is Generalize.AUTO,
    )
    report.unread = unread
    return ImportResult(
        report=report, source_crs=source_crs, layer=Layer.objects.get(slug=opts.slug)
    )
