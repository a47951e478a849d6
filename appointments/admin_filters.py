"""The queue's filters: open requests first, mine, and not yet notified."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AppointmentRequest


class OpenFilter(admin.SimpleListFilter):
    """Open requests unless staff ask for others: the queue's default view."""

    title = _("open or finished")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("open", _("Open (default)")), ("finished", _("Declined or closed")), ("all", _("All requests"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or "open") == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.open()
        if value == "finished":
            return queryset.exclude(pk__in=AppointmentRequest.objects.open().values("pk"))
        return queryset


class AssignedFilter(admin.SimpleListFilter):
    title = _("assigned to")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("mine", _("Mine")), ("nobody", _("Nobody yet"))]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "nobody":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class NotificationFilter(admin.SimpleListFilter):
    title = _("notification")
    parameter_name = "notification"

    def lookups(self, request, model_admin):
        return [("pending", _("Not yet notified")), ("sent", _("Notified"))]

    def queryset(self, request, queryset):
        pending = AppointmentRequest.objects.notification_pending().values("pk")
        if self.value() == "pending":
            return queryset.filter(pk__in=pending)
        if self.value() == "sent":
            return queryset.exclude(pk__in=pending)
        return queryset
