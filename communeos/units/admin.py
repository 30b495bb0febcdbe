from django.contrib import admin

from communeos.units.models import Succession, Unit


class ReadOnlyAdmin(admin.ModelAdmin):
    """The map changes only through `load_units` and, later, reorganisations: never by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["level", "kind", "valid_to"]
    search_fields = ["code", "name", "search_name"]
    list_select_related = ["parent"]


@admin.register(Succession)
class SuccessionAdmin(ReadOnlyAdmin):
    list_display = ["predecessor", "successor", "share", "effective", "resolution"]
    search_fields = ["predecessor__code", "successor__code", "predecessor__name", "successor__name"]
    list_select_related = ["predecessor", "successor"]
