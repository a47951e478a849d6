"""Ratings in the admin: each page's figures and visitors' comments. Staff read them and may
delete an abusive comment; nobody edits a vote or a comment."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import PageComment, RatedPage


class ReadOnlyAdminMixin:
    """Figures and comments come from visitors: staff read them (and may delete), never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RatedPage)
class RatedPageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["page", "average", "count", "distribution_text"]
    list_filter = [("page__treatment", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["page__treatment"]
    readonly_fields = ["page", "count", "total", *RatedPage.STAR_FIELDS]
    ordering = ["-count", "pk"]  # the average is sortable from its column

    def get_queryset(self, request):
        return super().get_queryset(request).with_average()

    @admin.display(description=_("average"), ordering="average_stars")
    def average(self, rated_page):
        # None shows the admin's usual mark for an empty value.
        return None if rated_page.average_stars is None else f"{rated_page.average_stars:.1f}"

    @admin.display(description=_("1★ / 2★ / 3★ / 4★ / 5★"))
    def distribution_text(self, rated_page):
        return " / ".join(str(votes) for votes in rated_page.distribution)


@admin.register(PageComment)
class PageCommentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "rated_page", "stars", "text"]
    list_filter = [
        ("rated_page", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
        "stars",
    ]
    list_select_related = ["rated_page__page__treatment"]
    search_fields = ["text"]
    date_hierarchy = "created_at"
    readonly_fields = ["rated_page", "stars", "text", "created_at"]
