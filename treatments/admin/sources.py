"""Sources: what pages cite."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import PageSource, Source


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "date_display", "url", "checked_on"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url"]
    fields = ["title", "publisher", "language", "published_on", "published_precision", "url", "checked_on", "notes"]

    @admin.display(description=_("date of the source"))
    def date_display(self, source):
        return source.date_display


class PageSourceInline(admin.TabularInline):
    model = PageSource
    fields = ["order", "source"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name_plural = _("Sources of this page (shown to patients in this order)")
