from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.rate_page, name="rate"),
    path(_("comment/"), views.comment_on_page, name="comment"),
    path(_("mine/"), views.my_rating, name="mine"),
]
