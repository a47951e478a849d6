"""The idle sign-out's warning on every admin page (static/js/staff-idle.js shows it)."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("admin/idle_warning.html", takes_context=True)
def idle_warning(context):
    request = context.get("request")
    signed_in = request is not None and request.user.is_authenticated
    return {
        "signed_in": signed_in,
        "idle_minutes": settings.STAFF_IDLE_MINUTES,
        "csrf_token": context.get("csrf_token"),
    }
