"""A request's contact panel: the contact log, logging an attempt and e-mailing the patient."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from ..services import contact_attempt_record, patient_email_send
from .forms import ContactAttemptForm, PatientEmailForm


class ContactPanelViews:
    """Above a request's form: how to reach the patient, the contact log, and its two small
    forms (log an attempt, e-mail the patient), each posted on its own so that it never
    conflicts with a colleague's save of the request."""

    def contact_panel(self, request, appointment) -> dict:
        """The contact log and its two forms, above the request's own form."""
        can_change = self.has_change_permission(request, appointment)
        return {
            "contact_attempts": appointment.contact_attempts.select_related("made_by"),
            "failing_today": appointment.patient_fields_failing_today(),
            "patient_messages": appointment.messages.all(),
            "contact_form": ContactAttemptForm() if can_change else None,
            "email_form": PatientEmailForm(appointment=appointment) if can_change else None,
            "appointment": appointment,
        }

    def _panel_post(self, request, object_id, make_form, record, template_title):
        appointment = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, appointment):
            raise PermissionDenied
        change_url = reverse("admin:appointments_appointmentrequest_change", args=[appointment.pk])
        if request.method != "POST":
            return redirect(change_url)
        form = make_form(request.POST, appointment)
        if form.is_valid():
            message = record(appointment, form.cleaned_data)
            messages.success(request, message)
            return redirect(f"{change_url}#contact-log")
        context = {
            **self.admin_site.each_context(request),
            "title": template_title,
            "opts": self.opts,
            "original": appointment,
            "form": form,
            "action": request.path,
            "change_url": change_url,
        }
        response = TemplateResponse(request, "admin/appointments/appointmentrequest/panel_form.html", context)
        response.status_code = 400
        return response

    def contact_view(self, request, object_id):
        """Logs a contact attempt on its own: it never conflicts with the request's form."""

        def record(appointment, data):
            contact_attempt_record(appointment=appointment, made_by=request.user, **data)
            return _("Contact attempt logged on %s.") % appointment

        return self._panel_post(
            request, object_id, lambda data, _appointment: ContactAttemptForm(data), record, _("Log a contact attempt")
        )

    def email_view(self, request, object_id):
        """Queues one of the clinic's e-mails to the patient, logged in the contact log."""

        def record(appointment, data):
            patient_email_send(
                appointment=appointment,
                template=data["template"],
                sent_by=request.user,
                appointment_at=appointment.appointment_at,
            )
            return _("E-mail “%(name)s” queued for the patient of %(request)s; the contact log shows it.") % {
                "name": data["template"],
                "request": appointment,
            }

        return self._panel_post(
            request,
            object_id,
            lambda data, appointment: PatientEmailForm(data, appointment=appointment),
            record,
            _("E-mail the patient"),
        )

    def contact_urls(self):
        return [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"appointments_appointmentrequest_{name}",
            )
            for name, view in [("contact", self.contact_view), ("email", self.email_view)]
        ]
