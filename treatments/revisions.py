"""Whole-page revisions: each save that changes a page or anything on it (its fields, sections,
questions, steps and their tips, its sources and what each part cites) stores one revision of
the whole page, as JSON. The page's form lists them with who, when (the clinic's time, to the
minute) and a readable difference from the one before; "restore" brings the whole page back as it
was in a revision (a changed or deleted answer, section or step included), as a new revision.

A small model of our own: django-reversion would record each model separately (a page's parts
and their citations are five models and two many-to-many tables); one document per page reads,
compares and restores as one.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PAGE_FIELDS = [
    "title",
    "short_title",
    "slug",
    "summary",
    "description",
    "intro",
    "at_a_glance",
    "who_should_not",
    "risks",
    "when_to_get_help",
    "cost",
    "order",
    "is_published",
    "image_alt",
    "image_is_decorative",
]
# Each kind of part: its list's key, the text that names it, its fields, and whether it cites sources.
PARTS = {
    "sections": ("heading", ["order", "heading", "anchor", "body"], True),
    "faq": ("question", ["order", "question", "anchor", "answer"], True),
    "steps": ("title", ["order", "title", "detail"], False),
}
LABELS = {"sections": gettext_lazy("Section"), "faq": gettext_lazy("Question"), "steps": gettext_lazy("Step")}


class PageRevision(models.Model):
    page = models.ForeignKey("treatments.TreatmentPage", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(gettext_lazy("revision"))
    created_at = models.DateTimeField(gettext_lazy("when"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    content = models.JSONField()
    restored_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("restores"),
    )

    class Meta:
        ordering = ["-number"]
        verbose_name = gettext_lazy("page revision")
        verbose_name_plural = gettext_lazy("page revisions")
        constraints = [models.UniqueConstraint(fields=["page", "number"], name="page_revision_number_once")]

    def __str__(self):
        return _("Revision %(number)s of %(page)s") % {"number": self.number, "page": self.page}

    @property
    def who(self) -> str:
        if self.created_by is None:
            return _("the site (content loaded)")
        return self.created_by.get_full_name() or self.created_by.get_username()


def _sources(part) -> list[int]:
    return sorted(part.sources.values_list("pk", flat=True))


def snapshot(page, parts=None) -> dict:
    """The whole page as stored now. `parts`: the part models by key (a migration passes its own)."""
    if parts is None:
        from .models import FAQEntry, PreventionStep, Section

        parts = {"sections": Section, "faq": FAQEntry, "steps": PreventionStep}
    content = {"page": {name: getattr(page, name) for name in PAGE_FIELDS}}
    for key, model in parts.items():
        _label, fields, cites = PARTS[key]
        rows = []
        for part in model.objects.filter(page=page).order_by("order", "pk"):
            row = {"id": part.pk, **{name: getattr(part, name) for name in fields}}
            if cites:
                row["sources"] = _sources(part)
            if key == "steps":
                row["tips"] = [
                    {"id": tip.pk, "order": tip.order, "text": tip.text} for tip in part.tips.order_by("order", "pk")
                ]
            rows.append(row)
        content[key] = rows
    content["sources"] = list(page.page_sources.order_by("order", "pk").values_list("source_id", flat=True))
    return content


def record_revision(page, user=None, restored_from=None) -> PageRevision | None:
    """Stores the page as it is now, unless it is the same as its latest revision."""
    with transaction.atomic():
        content = snapshot(page)
        latest = PageRevision.objects.select_for_update().filter(page=page).order_by("-number").first()
        if latest is not None and latest.content == content and restored_from is None:
            return None
        return PageRevision.objects.create(
            page=page,
            number=(latest.number if latest else 0) + 1,
            created_by=user,
            content=content,
            restored_from=restored_from,
        )


def _short(text, limit=160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def differences(before: dict | None, after: dict) -> list[str]:
    """What changed from one revision to the next, in words an editor reads."""
    from .models import TreatmentPage

    if before is None:
        return [_("The page as first recorded.")]
    lines = []
    for name in PAGE_FIELDS:
        old, new = before["page"].get(name), after["page"].get(name)
        if old != new:
            label = str(TreatmentPage._meta.get_field(name).verbose_name).capitalize()
            lines.append(
                _("%(field)s: “%(old)s” → “%(new)s”") % {"field": label, "old": _short(old), "new": _short(new)}
            )
    for key, (naming, fields, _cites) in PARTS.items():
        old_rows = {row["id"]: row for row in before.get(key, [])}
        new_rows = {row["id"]: row for row in after.get(key, [])}
        for pk, row in new_rows.items():
            name = f"{LABELS[key]} “{_short(row[naming], 80)}”"
            if pk not in old_rows:
                lines.append(_("%s added") % name)
                continue
            old = old_rows[pk]
            changed = [field for field in [*fields, "sources", "tips"] if old.get(field) != row.get(field)]
            for field in changed:
                if field in ("order",):
                    lines.append(_("%s moved") % name)
                elif field in ("sources", "tips"):
                    lines.append(_("%(name)s: its %(what)s changed") % {"name": name, "what": _(field)})
                else:
                    lines.append(
                        _("%(name)s: %(field)s “%(old)s” → “%(new)s”")
                        % {"name": name, "field": field, "old": _short(old[field]), "new": _short(row[field])}
                    )
        for pk, row in old_rows.items():
            if pk not in new_rows:
                lines.append(
                    _("%(label)s “%(name)s” deleted") % {"label": LABELS[key], "name": _short(row[naming], 80)}
                )
    if before.get("sources") != after.get("sources"):
        lines.append(_("The page's sources changed"))
    return lines or [_("Nothing patients read changed.")]


def restore(revision: PageRevision, user) -> PageRevision:
    """Brings the whole page back as it was in `revision` (its fields and every part on it,
    deleted parts created again, later ones removed), recorded as a new revision."""
    from .models import FAQEntry, PreventionStep, PreventionTip, Section, TreatmentPage
    from .sources import PageSource

    content = revision.content
    models_by_key = {"sections": Section, "faq": FAQEntry, "steps": PreventionStep}
    with transaction.atomic():
        page = TreatmentPage.objects.select_for_update().get(pk=revision.page_id)
        for name, value in content["page"].items():
            setattr(page, name, value)
        page.full_clean(exclude=["image"])
        page.save()
        for key, model in models_by_key.items():
            _naming, fields, cites = PARTS[key]
            existing = {part.pk: part for part in model.objects.filter(page=page)}
            kept = set()
            for row in content[key]:
                part = existing.get(row["id"]) or model(page=page)
                for name in fields:
                    setattr(part, name, row[name])
                part.save()
                kept.add(part.pk)
                if cites:
                    part.sources.set(row["sources"])
                if key == "steps":
                    tips = {tip.pk: tip for tip in part.tips.all()}
                    kept_tips = set()
                    for tip_row in row["tips"]:
                        tip = tips.get(tip_row["id"]) or PreventionTip(step=part)
                        tip.order, tip.text = tip_row["order"], tip_row["text"]
                        tip.save()
                        kept_tips.add(tip.pk)
                    part.tips.exclude(pk__in=kept_tips).delete()
            for pk, part in existing.items():
                if pk not in kept:
                    part.delete()
        PageSource.objects.filter(page=page).delete()
        PageSource.objects.bulk_create(
            [PageSource(page=page, source_id=source, order=order) for order, source in enumerate(content["sources"])]
        )
        return record_revision(page, user, restored_from=revision)
