from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from .response_time import clinic_holidays, clinic_hours


@register()
def opening_hours_are_readable(app_configs, **kwargs):
    """CLINIC_OPENING_HOURS and CLINIC_HOLIDAYS are read when a request comes in: a typo must stop
    start-up, not a patient's thank-you page."""
    errors = []
    for read in (clinic_hours, clinic_holidays):
        try:
            read()
        except ImproperlyConfigured as error:
            errors.append(Error(str(error), id="appointments.E001"))
    return errors
