from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.rate_page, name="rate"),
    path("comment/", views.comment_on_page, name="comment"),
    path("mine/", views.my_rating, name="mine"),
]
