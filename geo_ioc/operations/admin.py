from django import forms
from django.contrib.gis import admin

from geo_ioc.operations.models import AlertRule, Incident


@admin.register(Incident)
class IncidentAdmin(admin.GISModelAdmin):
    list_display = ("code", "type", "severity", "status", "reported_at", "synthetic")
    list_filter = ("status", "type", "severity", "synthetic")
    search_fields = ("code", "description", "road_name")


class AlertRuleForm(forms.ModelForm):
    """The kind is chosen among those the installed domain apps contribute."""

    class Meta:
        model = AlertRule
        fields = "__all__"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from geo_ioc.operations.rulekinds import kinds

        self.fields["kind"] = forms.ChoiceField(
            choices=sorted((k.name, f"{k.label} ({k.name})") for k in kinds().values())
        )


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = AlertRuleForm
    list_display = ("name", "kind", "enabled", "scope", "severity")
    list_filter = ("kind", "enabled", "scope")
    search_fields = ("name", "event")
