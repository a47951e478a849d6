from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from treatments.views import HomeView

admin.site.site_header = _("Clinic website administration")
admin.site.site_title = _("Clinic website admin")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("treatments/", include("treatments.urls")),
    path("appointments/", include("appointments.urls")),
    path("ratings/", include("appointments.rating_urls")),
    path("admin/", admin.site.urls),
]
