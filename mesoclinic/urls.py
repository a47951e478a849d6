from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from appointments.booking.feed import clinician_feed
from appointments.dashboard import dashboard
from appointments.privacy_views import privacy_requests
from sitewide.about import accessibility_statement, privacy_notice, visiting
from sitewide.staff_idle import still_here
from sitewide.views import healthz
from treatments.seo import SITEMAPS, robots_txt
from treatments.share import share_card
from treatments.views import home

admin.site.site_header = _("Clinic website administration")
admin.site.site_title = _("Clinic website admin")

# What patients read, in each language: English at these addresses, Spanish under /es/ with the
# addresses' words in Spanish too (locale/es/LC_MESSAGES/django.po). Staff pages, the health
# check, robots.txt, the sitemap (which lists both languages) and share cards have one address.
patient_pages = i18n_patterns(
    path("", home, name="home"),
    path(_("treatments/"), include("treatments.urls")),
    path(_("appointments/"), include("appointments.urls")),
    path(_("ratings/"), include("appointments.ratings.urls")),
    path(_("newsletter/"), include("appointments.newsletter.urls")),
    path(_("privacy/"), privacy_notice, name="privacy"),
    path(_("accessibility/"), accessibility_statement, name="accessibility"),
    path(_("visiting/"), visiting, name="visiting"),
    prefix_default_language=False,
)

urlpatterns = [
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="dashboard"),
    path(
        "admin/privacy/", admin.site.admin_view(privacy_requests), {"admin_site": admin.site}, name="privacy_requests"
    ),
    path("admin/still-here/", admin.site.admin_view(still_here), name="staff_still_here"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("share/<str:signed_title>.png", share_card, name="share_card"),
    path("calendar/<str:token>.ics", clinician_feed, name="clinician_feed"),
    *patient_pages,
]

if settings.DEBUG:  # development only: in production nginx serves /media/ (deploy/nginx.conf)
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "sitewide.views.bad_request"
handler403 = "sitewide.views.permission_denied"
handler404 = "sitewide.views.page_not_found"
handler500 = "sitewide.views.server_error"
