"""The kinds of alert rule, contributed by the domain apps, and how they react to changes.

A kind names the layer it watches, the schema of its parameters, what to do with the features
of that layer that changed (`evaluate`) and, for conditions only time reveals, a `sweep`. The
alert rules follow the event log as one durable subscriber (`geo_ioc.core.live.durable`): every
committed change to a watched layer — through a service, an import or psql — reaches them once,
in commit order, and what they raise commits with their position in the log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry
from pydantic import BaseModel

from geo_ioc.core import domains
from geo_ioc.core.live.events import Entry
from geo_ioc.operations.models import AlertRule
from layers.changes import layers_of

# The features of the watched layer that changed: id → where it was before (None: new, or
# not known), and the rules of this kind with their parameters.
Changed = dict[int, GEOSGeometry | None]
Rules = list[tuple[AlertRule, BaseModel]]


@dataclass(frozen=True)
class RuleKind:
    """One kind of alert rule."""

    name: str
    label: str
    params: type[BaseModel]
    layer: str
    evaluate: Callable[[Rules, Changed], None]
    sweep: Callable[[Rules], None] | None = None


# Domain apps contribute their kinds in their `domain` module (`geo_ioc.core.domains`).
RULE_KINDS: domains.Kind[RuleKind] = domains.Kind("alert_rule_kinds", RuleKind)


def kinds() -> dict[str, RuleKind]:
    """The installed apps' rule kinds by name; two apps may not take the same name."""
    out: dict[str, RuleKind] = {}
    for kind in domains.contributions(RULE_KINDS):
        if out.setdefault(kind.name, kind) is not kind:
            raise ValueError(f"alert rule kind {kind.name!r} is contributed twice")
    return out


def parse_params(rule: AlertRule) -> BaseModel:
    """The rule's parameters, validated for its kind."""
    known = kinds()
    if rule.kind not in known:
        raise ValueError(f"unknown alert rule kind {rule.kind!r}; known: {sorted(known)}")
    return known[rule.kind].params.model_validate(rule.params)


def _rules(kind: RuleKind) -> Rules:
    return [
        (rule, parse_params(rule))
        for rule in AlertRule.objects.filter(enabled=True, kind=kind.name).order_by("pk")
    ]


def _changed_features(entries: list[Entry], layers: set[str]) -> dict[str, Changed]:
    """Per watched layer, the changed feature ids with their first known old position."""
    out: dict[str, Changed] = {}
    for entry in entries:
        if not entry.is_change or entry.feature_ids is None:
            continue
        for layer in layers_of(entry) & layers:
            changed = out.setdefault(layer, {})
            for raw in entry.feature_ids:
                if not raw.isdigit():
                    continue
                old = (entry.before or {}).get(raw) if entry.operation != "insert" else None
                changed.setdefault(int(raw), GEOSGeometry(old) if old else None)
    return out


def on_changes(entries: list[Entry]) -> None:
    """Run every kind whose layer changed (the alert rules' durable subscriber)."""
    known = kinds().values()
    changed = _changed_features(entries, {kind.layer for kind in known})
    for kind in known:
        if features := changed.get(kind.layer):
            rules = _rules(kind)
            if rules:
                kind.evaluate(rules, features)


def sweep_all() -> None:
    """Run the sweeps of every kind that has one (what only time reveals)."""
    for kind in kinds().values():
        if kind.sweep is not None:
            rules = _rules(kind)
            if rules:
                kind.sweep(rules)
