"""Django's admin as this site installs it: served by the admin site that asks staff for a second
factor (sitewide/admin_login.py). Its own module: Django reads app configurations before models
are ready, and admin_login needs django-otp's models."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "sitewide.admin_login.StaffAdminSite"
