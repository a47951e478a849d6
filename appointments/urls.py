from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("request/", views.request_appointment, name="request"),
    path("request/thanks/", views.thanks, name="thanks"),
]
