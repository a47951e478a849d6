"""The front desk's figures on the admin's front page: overdue now, due later today, received today."""

from django import template

from ..models import AppointmentRequest

register = template.Library()


@register.inclusion_tag("admin/appointments/worklist_counts.html")
def worklist_counts():
    return {"counts": AppointmentRequest.objects.worklist_counts()}
