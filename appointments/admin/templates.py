"""The e-mails the front desk sends patients."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import MessageTemplate
from ..patient_email import check_template_text


class MessageTemplateForm(forms.ModelForm):
    class Meta:
        model = MessageTemplate
        fields = ["name", "language", "translation_of", "subject", "body", "confirms_appointment", "order"]

    def clean_subject(self):
        check_template_text(self.cleaned_data["subject"])
        return self.cleaned_data["subject"]

    def clean_body(self):
        check_template_text(self.cleaned_data["body"])
        return self.cleaned_data["body"]


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """The e-mails the front desk sends patients from a request's page."""

    form = MessageTemplateForm
    list_display = ["name", "language", "translation_of", "subject", "confirms_appointment", "order"]
    list_editable = ["order"]
    list_filter = ["language"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        words = ", ".join(f"{{{name}}} ({meaning})" for name, meaning in MessageTemplate.PLACEHOLDERS.items())
        form.base_fields["body"].help_text = _(
            "Plain text. The site fills in %(words)s. Never write anything medical: e-mail is not private."
        ) % {"words": words}
        return form
