"""A page's history for editors: every change to the page and to what is on it (sections, FAQ
entries, steps, tips, reviews), who made it and when, newest first. The records themselves are
kept by django-simple-history."""

from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.utils.translation import gettext as _

from .models import FAQEntry, PageReview, PreventionStep, PreventionTip, Section, TreatmentPage

ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}


@dataclass(frozen=True)
class Change:
    when: datetime
    who: str
    what: str


def _describe(record, label: str) -> str:
    action = ACTIONS.get(record.history_type, record.history_type)
    if record.history_type != "~" or record.prev_record is None:
        return _("%(item)s %(action)s") % {"item": label, "action": _(action)}
    delta = record.diff_against(record.prev_record)
    fields = [str(record.instance._meta.get_field(change.field).verbose_name) for change in delta.changes]
    return _("%(item)s: %(fields)s changed") % {"item": label, "fields": ", ".join(fields) or _("nothing")}


def page_changes(page: TreatmentPage, limit: int = 40) -> list[Change]:
    sources = [
        (TreatmentPage.history.filter(id=page.pk), lambda r: _("Page")),
        (Section.history.filter(page_id=page.pk), lambda r: _("Section “%s”") % r.heading),
        (FAQEntry.history.filter(page_id=page.pk), lambda r: _("Question “%s”") % r.question),
        (PreventionStep.history.filter(page_id=page.pk), lambda r: _("Step “%s”") % r.title),
        (PreventionTip.history.filter(step__page_id=page.pk), lambda r: _("Tip “%s”") % r.text[:40]),
        (PageReview.history.filter(page_id=page.pk), lambda r: _("Review of %s") % r.reviewed_on),
    ]
    records = []
    for queryset, label in sources:
        for record in islice(queryset.select_related("history_user").order_by("-history_date"), limit):
            records.append((record, label))
    records.sort(key=lambda pair: pair[0].history_date, reverse=True)
    return [
        Change(
            when=record.history_date,
            who=record.history_user.get_full_name() or record.history_user.get_username()
            if record.history_user
            else record.history_change_reason or _("a command"),
            what=_describe(record, label(record)),
        )
        for record, label in records[:limit]
    ]
