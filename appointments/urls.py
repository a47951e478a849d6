from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "appointments"

urlpatterns = [
    path(_("request/"), views.request_appointment, name="request"),
    path(_("request/thanks/"), views.thanks, name="thanks"),
]
