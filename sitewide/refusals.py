"""A refusal in the admin that tells the member of staff why, in words meant for them."""

from django.core.exceptions import PermissionDenied


class StaffRefusal(PermissionDenied):
    """An admin action this member of staff may not take; its message is shown to them on the
    admin's own refusal page (sitewide.views.permission_denied)."""
