"""Builds the POST data of a Django admin change page as the browser would send it unchanged."""

from django import forms


def _field_value(form, name, field):
    value = form.initial.get(name, field.initial)
    if callable(value):
        value = value()
    value = field.prepare_value(value)
    return "" if value is None else value


def _form_data(form):
    data = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):  # a browser sends a file only when one is chosen
            continue
        value = _field_value(form, name, field)
        if value is False:  # an unchecked checkbox is not sent
            continue
        data[form.add_prefix(name)] = value
    return data


def admin_change_form_data(response) -> dict:
    """The data of the main form and every inline formset on an admin change page."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        for form in formset.forms:
            data.update(_form_data(form))
    return data
