"""The request queue: the worklist, its search and its actions."""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import audit
from ..exports import requests_csv
from ..models import NEXT_STEP_AT, WORKLIST_ORDER, AppointmentRequest
from ..services import appointment_request_merge, appointment_request_set_status
from ..worklist import next_step_words
from .filters import AssignedFilter, NotificationFilter, WorkFilter
from .forms import QueueRowForm
from .search import is_search_id, remember_search, search_words


class WorklistViews:
    """The front desk's queue: its columns, filters and order (the worklist first), a row's own
    edits checked against the version listed, searching without the words in an address, and
    the actions on selected requests."""

    list_display = ["name", "next_step", "received", "status", "contact_by", "assigned_to"]
    list_display_links = ["name"]
    list_editable = ["status", "assigned_to"]
    list_filter = [
        WorkFilter,
        AssignedFilter,
        "status",
        "contact_preference",
        "call_language",
        NotificationFilter,
        "sent_quickly",
        "newsletter",
        "treatment",
        ("received_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["assigned_to"]
    search_fields = ["first_name", "last_name", "email", "city", "comments"]
    search_help_text = _("Search by name, e-mail, city, comments, or any 4 or more digits of a phone number.")
    # The worklist's order: overdue first, then due soonest, then the rest by arrival.
    ordering = WORKLIST_ORDER
    list_per_page = 50
    actions = ["mark_contacted", "assign_to_me", "merge_duplicates", "export_csv"]

    @admin.display(description=_("name"), ordering="last_name")
    def name(self, appointment):
        return f"#{appointment.pk} {appointment.full_name}"

    @admin.display(description=_("next step"), ordering=NEXT_STEP_AT.asc(nulls_last=True))
    def next_step(self, appointment):
        words, late = next_step_words(appointment)
        badges = []
        if late:
            words = format_html('<strong class="badge badge--overdue">{}</strong>', words)
        if appointment.has_possible_duplicate:
            badges.append(format_html('<span class="badge">{}</span>', _("Possible duplicate")))
        return format_html("{} {}", words, format_html_join(" ", "{}", ((badge,) for badge in badges)))

    @admin.display(description=_("received"), ordering="received_at")
    def received(self, appointment):
        received = timezone.localtime(appointment.received_at)
        if timezone.now() - appointment.received_at < timezone.timedelta(days=1):
            return _("%(time)s ago") % {"time": timesince(appointment.received_at, depth=1)}
        return f"{received:%-d %b %Y, %-I:%M %p}"

    @admin.display(description=_("contact by"), ordering="contact_preference")
    def contact_by(self, appointment):
        """How, and in which language when it is not the site's first (the call may need an interpreter)."""
        how = appointment.get_contact_preference_display()
        if not appointment.interpreter_note:
            return how
        return format_html(
            '{}<br><strong class="call-language">{}</strong>', how, _("in %s") % appointment.call_language_name
        )

    def get_changelist_form(self, request, **kwargs):
        """Each row is checked against the version listed (QueueRowForm); the staff to assign to
        are read once for the whole list, not once per row."""
        base = super().get_changelist_form(request, form=QueueRowForm, **kwargs)
        staff_choices = None

        class RowForm(base):
            def __init__(self, *args, **form_kwargs):
                nonlocal staff_choices
                super().__init__(*args, **form_kwargs)
                assigned_to = self.fields["assigned_to"]
                if staff_choices is None:
                    staff_choices = list(assigned_to.choices)
                assigned_to.choices = staff_choices

        return RowForm

    def search_view(self, request):
        """The search box posts here: the words go into the session, the queue's address gets an id."""
        if request.method != "POST":
            return redirect("admin:appointments_appointmentrequest_changelist")
        params = {key: value for key, value in request.POST.items() if key.startswith("keep-")}
        params = {key.removeprefix("keep-"): value for key, value in params.items()}
        params.pop(SEARCH_VAR, None)
        words = request.POST.get("words", "").strip()
        if words:
            params[SEARCH_VAR] = remember_search(request, words)
        url = reverse("admin:appointments_appointmentrequest_changelist")
        return redirect(f"{url}?{urlencode(params)}" if params else url)

    def changelist_view(self, request, extra_context=None):
        query = request.GET.get(SEARCH_VAR, "")
        if query and (not is_search_id(query) or search_words(request, query) is None):
            # Words typed into an address (an old bookmark), or a search that has expired: the
            # words leave the address at once, or the page says to search again.
            params = request.GET.copy()
            del params[SEARCH_VAR]
            if is_search_id(query):
                messages.info(request, _("That search has ended. Please search again."))
            else:
                params[SEARCH_VAR] = remember_search(request, query)
            url = reverse("admin:appointments_appointmentrequest_changelist")
            return redirect(f"{url}?{params.urlencode()}" if params else url)
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "POST" and changelist is not None and changelist.formset is not None:
            # A refused row may have left this view (a colleague finished it): say so at the top.
            for form in changelist.formset.forms:
                for error in form.errors.as_data().get(QueueRowForm.stale_error_field, []):
                    if error.code == "stale":
                        messages.error(request, " ".join(error.messages))
        if request.method == "GET" and getattr(response, "context_data", None) and "cl" in response.context_data:
            changelist = response.context_data["cl"]
            audit.record_list(request, [row.pk for row in changelist.result_list], searched=bool(query))
            if query and changelist.result_count == 0 and request.GET.get(WorkFilter.parameter_name) != "all":
                self.point_to_all_requests(request, query)
        return response

    def point_to_all_requests(self, request, query):
        """A search that finds nothing in this view says how many it finds among all requests."""
        everywhere, _duplicates = self.get_search_results(request, self.get_queryset(request), query)
        count = everywhere.count()
        url = reverse("admin:appointments_appointmentrequest_changelist")
        link = f"{url}?{urlencode({WorkFilter.parameter_name: 'all', SEARCH_VAR: query})}"
        if count:
            text = ngettext(
                "Nothing here matches, but %(count)d request among all requests does: ",
                "Nothing here matches, but %(count)d requests among all requests do: ",
                count,
            ) % {"count": count}
            messages.info(request, format_html('{}<a href="{}">{}</a>', text, link, _("show them")))
        else:
            messages.info(request, _("No request matches, in this view or among all requests."))

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # For templates/admin/search_form.html: post the words, show them, never put them in a link.
        changelist.search_url = reverse("admin:appointments_appointmentrequest_search")
        changelist.search_words = search_words(request, changelist.query) or ""
        return changelist

    def get_search_results(self, request, queryset, search_term):
        """Searches the words behind the address's search id, within the view's filters. A phone
        number matches on any 4 or more digits in a row, however they are typed: '555-0181',
        '(212) 555-0181' and '0181' all find +12125550181."""
        if is_search_id(search_term):
            search_term = search_words(request, search_term) or ""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = "".join(character for character in search_term if character.isdigit())
        if len(digits) >= 4 and not any(character.isalpha() for character in search_term):
            if len(digits) == 11 and digits.startswith("1"):
                digits = digits[1:]  # the country code, typed or not
            found |= queryset.filter(phone__contains=digits)
        return found, may_have_duplicates

    @admin.action(description=_("Mark selected requests as contacted"), permissions=["change"])
    def mark_contacted(self, request, queryset):
        count = 0
        for appointment in queryset:
            if appointment.status != AppointmentRequest.Status.CONTACTED:
                appointment_request_set_status(
                    appointment=appointment, status=AppointmentRequest.Status.CONTACTED, changed_by=request.user
                )
                count += 1
        self.message_user(
            request,
            ngettext("%d request marked as contacted.", "%d requests marked as contacted.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description=_("Assign selected requests to me"), permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = queryset.update(assigned_to=request.user)
        self.message_user(
            request, ngettext("%d request assigned to you.", "%d requests assigned to you.", count) % count
        )

    @admin.action(description=_("Close selected as duplicates of the oldest one"), permissions=["change"])
    def merge_duplicates(self, request, queryset):
        requests = list(queryset.order_by("received_at", "pk"))
        original, duplicates = requests[0], requests[1:]
        same_person = Q(email__iexact=original.email) | Q(phone=original.phone)
        if not duplicates or queryset.exclude(same_person).exists():
            self.message_user(request, _("Select two or more requests with the same e-mail or phone."), messages.ERROR)
            return
        for duplicate in duplicates:
            appointment_request_merge(duplicate=duplicate, original=original, changed_by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d request closed as a duplicate of %(original)s.",
                "%(count)d requests closed as duplicates of %(original)s.",
                len(duplicates),
            )
            % {"count": len(duplicates), "original": original},
            messages.SUCCESS,
        )

    @admin.action(description=_("Export selected requests as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        audit.record_export(request, queryset, "requests CSV")
        return requests_csv(queryset)

    def worklist_urls(self):
        return [
            path(
                "search/",
                self.admin_site.admin_view(self.search_view),
                name="appointments_appointmentrequest_search",
            )
        ]
