"""Hooks that keep the change feed complete and prompt.

Every catalogue layer's table gets the change-feed triggers when its entry is saved or after
migrations; a model write that lands in a layer's table asks for the feed to be applied as soon
as the transaction commits, so the writer's next tile request already sees its change.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_migrate, post_save

from layers import changes
from layers.models import Layer


def _layer_saved(sender: type[Layer], instance: Layer, **kwargs: Any) -> None:
    changes.install_triggers(instance)


def _migrated(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "layers":
        changes.install_all()


def _model_written(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    if changes.active() and sender._meta.db_table in changes.layer_tables():
        changes.after_commit()


def connect() -> None:
    """Connect the hooks (from the app's ready())."""
    post_save.connect(_layer_saved, sender=Layer, dispatch_uid="layers-install-triggers")
    post_migrate.connect(_migrated, dispatch_uid="layers-install-all-triggers")
    post_save.connect(_model_written, dispatch_uid="layers-model-saved")
    post_delete.connect(_model_written, dispatch_uid="layers-model-deleted")
