from django.urls import path

from . import views

app_name = "treatments"

urlpatterns = [
    path("", views.treatment_index, name="index"),
    path("<slug:treatment_slug>/", views.treatment_page, name="page"),
    path("<slug:treatment_slug>/<slug:page_slug>/", views.treatment_page, name="page"),
]
