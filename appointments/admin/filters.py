"""The queue's filters: the worklist first (what needs doing now), mine, not yet notified."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import FIRST_CALL, AppointmentRequest, clinic_day


class WorkFilter(admin.SimpleListFilter):
    """The worklist unless staff ask for another view: the queue's default."""

    title = _("show")
    parameter_name = "queue"
    DEFAULT = "todo"

    def lookups(self, request, model_admin):
        return [
            ("todo", _("To do now (default)")),
            ("overdue", _("Overdue now: waiting past our promise")),
            ("due_today", _("Due later today")),
            ("to_close", _("Appointments to close")),
            ("new_today", _("Received today")),
            ("waiting", _("Waiting: a call-back or an appointment to come")),
            ("open", _("All open")),
            ("finished", _("Declined or closed")),
            ("all", _("All requests")),
        ]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or self.DEFAULT) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value, now = self.value() or self.DEFAULT, timezone.now()
        start, end = clinic_day(now)
        if value == "todo":
            return queryset.to_do(now)
        if value == "overdue":
            return queryset.overdue(now)
        if value == "due_today":
            return queryset.filter(FIRST_CALL, answer_due_at__gt=now, answer_due_at__lt=end)
        if value == "to_close":
            return queryset.to_close(now)
        if value == "new_today":
            return queryset.filter(received_at__gte=start, received_at__lt=end)
        if value == "waiting":
            return queryset.waiting(now)
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


def staff_who_work_requests():
    """Who a request can be assigned to: active staff who may change requests."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    permission = Permission.objects.get(codename="change_appointmentrequest", content_type__app_label="appointments")
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(Q(is_superuser=True) | Q(user_permissions=permission) | Q(groups__permissions=permission))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
