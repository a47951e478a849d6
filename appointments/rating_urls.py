from django.urls import path

from . import rating_views

app_name = "ratings"

urlpatterns = [
    path("", rating_views.rate_page, name="rate"),
    path("comment/", rating_views.comment_on_page, name="comment"),
    path("mine/", rating_views.my_rating, name="mine"),
]
