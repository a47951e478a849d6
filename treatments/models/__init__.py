"""The clinic's patient information, as models only: what they do lives in the modules beside
this package (revisions, drafts, reviews, addresses), which import the models, never the reverse."""

from .addresses import FormerSlug
from .clinic import (
    Clinic,
    ClinicClosure,
    ClinicWords,
    OpeningTime,
    default_response_business_days,
    default_review_interval_months,
    default_staff_alert_email,
    default_visit_minutes,
)
from .pages import (
    CITED_SOURCES,
    DECISION_SECTIONS,
    FAQEntry,
    Passage,
    PreventionStep,
    PreventionTip,
    Section,
    Treatment,
    TreatmentPage,
)
from .pictures import Illustrated
from .reviews import ClaimSignOff, PageReview, Reviewer
from .revisions import PageRevision
from .sources import PageSource, Source

__all__ = [
    "CITED_SOURCES",
    "DECISION_SECTIONS",
    "ClaimSignOff",
    "Clinic",
    "ClinicClosure",
    "ClinicWords",
    "FAQEntry",
    "FormerSlug",
    "Illustrated",
    "OpeningTime",
    "PageReview",
    "PageRevision",
    "PageSource",
    "Passage",
    "PreventionStep",
    "PreventionTip",
    "Reviewer",
    "Section",
    "Source",
    "Treatment",
    "TreatmentPage",
    "default_response_business_days",
    "default_review_interval_months",
    "default_staff_alert_email",
    "default_visit_minutes",
]
