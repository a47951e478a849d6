"""The front desk's admin, one module per concern: requests (with the worklist and the contact
panel), the e-mails to patients, the privacy trail; the newsletter's and the ratings' admins
live in their own apps' modules. Importing this package registers every one."""

from ..newsletter import admin as newsletter_admin
from ..ratings import admin as ratings_admin
from . import booking, privacy, requests, templates

__all__ = ["booking", "newsletter_admin", "privacy", "ratings_admin", "requests", "templates"]
