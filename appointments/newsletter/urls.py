from django.urls import path

from . import views

app_name = "newsletter"

urlpatterns = [
    path("", views.sign_up, name="sign_up"),
    path("check-your-email/", views.check_email, name="check_email"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
