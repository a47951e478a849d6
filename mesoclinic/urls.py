from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from appointments.dashboard import dashboard
from sitewide.views import healthz
from treatments.views import home

admin.site.site_header = _("Clinic website administration")
admin.site.site_title = _("Clinic website admin")

urlpatterns = [
    path("", home, name="home"),
    path("treatments/", include("treatments.urls")),
    path("appointments/", include("appointments.urls")),
    path("ratings/", include("appointments.ratings.urls")),
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="dashboard"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler400 = "sitewide.views.bad_request"
handler403 = "sitewide.views.permission_denied"
handler404 = "sitewide.views.page_not_found"
handler500 = "sitewide.views.server_error"
