from django.contrib import admin

from .models import IndicatorDefinition


@admin.register(IndicatorDefinition)
class IndicatorDefinitionAdmin(admin.ModelAdmin):
    """Staff may edit labels, groups and descriptions; the code and what it counts stay fixed."""

    list_display = ["code", "area", "group", "label", "kind"]
    list_filter = ["area", "kind", "group"]
    search_fields = ["code", "label"]
    readonly_fields = ["code", "kind", "question_code", "option_code", "synced_label"]
