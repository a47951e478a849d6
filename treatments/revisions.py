"""Whole-page revisions: each save that changes a page or anything on it (its fields, sections,
questions, steps and their tips, its sources and what each part cites) stores one revision of
the whole page, as JSON. The page's form lists them with who, when (the clinic's time, to the
minute) and a readable difference from the one before; "restore" brings the whole page back as it
was in a revision (a changed or deleted answer, section or step included), as a new revision.

A small model of our own: django-reversion would record each model separately (a page's parts
and their citations are five models and two many-to-many tables); one document per page reads,
compares and restores as one.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import FAQEntry, PageRevision, PageSource, PreventionStep, PreventionTip, Section, Source, TreatmentPage

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
    "image",
]
# A picture and its description travel together: restored together, or not at all.
PICTURE_FIELDS = ["image", "image_alt", "image_is_decorative"]
# Each kind of part: its list's key, the text that names it, its fields, and whether it cites sources.
PARTS = {
    "sections": ("heading", ["order", "heading", "anchor", "body"], True),
    "faq": ("question", ["order", "question", "anchor", "answer"], True),
    "steps": ("title", ["order", "title", "detail"], False),
}
LABELS = {"sections": gettext_lazy("Section"), "faq": gettext_lazy("Question"), "steps": gettext_lazy("Step")}


def _sources(part) -> list[int]:
    return sorted(source.pk for source in part.sources.all())  # prefetched with the parts


def _identity(page, part):
    """A part's identity in a revision: its own id on a page, on a draft the id of the page's part
    it was copied from (None for a part new in the draft), so a draft's revision applies to its page."""
    return getattr(part, "origin_id", None) if getattr(page, "draft_of_id", None) else part.pk


def snapshot(page, parts=None) -> dict:
    """The whole page as stored now. `parts`: the part models by key (a migration passes its own)."""
    if parts is None:
        parts = {"sections": Section, "faq": FAQEntry, "steps": PreventionStep}
    content = {"page": {name: getattr(page, name) for name in PAGE_FIELDS if name != "image"}}
    content["page"]["image"] = page.image.name or ""
    for key, model in parts.items():
        _label, fields, cites = PARTS[key]
        rows = []
        found = model.objects.filter(page=page).order_by("order", "pk")
        # Their citations and tips in one query each, not one per part.
        found = found.prefetch_related("sources") if cites else found
        found = found.prefetch_related("tips") if key == "steps" else found
        for part in found:
            row = {"id": _identity(page, part), **{name: getattr(part, name) for name in fields}}
            if cites:
                row["sources"] = _sources(part)
            if key == "steps":
                row["tips"] = [
                    {"id": _identity(page, tip), "order": tip.order, "text": tip.text}
                    for tip in sorted(part.tips.all(), key=lambda tip: (tip.order, tip.pk))
                ]
            rows.append(row)
        content[key] = rows
    content["sources"] = list(page.page_sources.order_by("order", "pk").values_list("source_id", flat=True))
    return content


def record_revision(page, user=None) -> PageRevision | None:
    """Stores the page as it is now, unless it is the same as its latest revision."""
    with transaction.atomic():
        content = snapshot(page)
        latest = PageRevision.objects.select_for_update().filter(page=page).order_by("-number").first()
        if latest is not None and comparable(latest.content) == content:
            return None
        return PageRevision.objects.create(
            page=page,
            number=(latest.number if latest else 0) + 1,
            created_by=user,
            content=content,
        )


def comparable(content: dict) -> dict:
    """A revision as a snapshot taken now would store it: revisions from before pictures were
    recorded say nothing of one (the page then had none, or it is not known)."""
    return {**content, "page": {"image": "", **content["page"]}}


def _short(text, limit=160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _keyed(rows) -> dict:
    """Rows by identity; parts new in a draft (no identity yet) each by their place."""
    return {row["id"] if row["id"] is not None else f"new-{index}": row for index, row in enumerate(rows)}


def changes(before: dict, after: dict) -> list[tuple[str, str, str]]:
    """Each difference as (what, before, after): the side-by-side comparison of a draft with its
    page, and of a revision with the one before it."""
    found = []
    before, after = comparable(before), comparable(after)
    for name in PAGE_FIELDS:
        old, new = before["page"].get(name), after["page"].get(name)
        if old != new:
            label = str(TreatmentPage._meta.get_field(name).verbose_name).capitalize()
            found.append((label, _short(old, 600), _short(new, 600)))
    for key, (naming, fields, _cites) in PARTS.items():
        old_rows, new_rows = _keyed(before.get(key, [])), _keyed(after.get(key, []))
        for identity, row in new_rows.items():
            name = f"{LABELS[key]} “{_short(row[naming], 80)}”"
            if identity not in old_rows:
                found.append((_("%s added") % name, "", _short("\n".join(str(row[f]) for f in fields[1:]), 600)))
                continue
            old = old_rows[identity]
            for field in [*fields, "sources", "tips"]:
                if old.get(field) == row.get(field):
                    continue
                if field == "order":
                    found.append((_("%s moved") % name, str(old[field]), str(row[field])))
                elif field in ("sources", "tips"):
                    found.append(
                        (_("%(name)s: its %(what)s") % {"name": name, "what": _(field)}, _("before"), _("changed"))
                    )
                else:
                    found.append((f"{name}: {field}", _short(old[field], 600), _short(row[field], 600)))
        for identity, row in old_rows.items():
            if identity not in new_rows:
                found.append(
                    (
                        _("%(label)s “%(name)s” deleted") % {"label": LABELS[key], "name": _short(row[naming], 80)},
                        _short(row[naming], 600),
                        "",
                    )
                )
    if before.get("sources") != after.get("sources"):
        found.append((_("The page's sources"), _("before"), _("changed")))
    return found


def differences(before: dict | None, after: dict) -> list[str]:
    """What changed from one revision to the next, in words an editor reads."""
    if before is None:
        return [_("The page as first recorded.")]
    lines = []
    for what, old, new in changes(before, after):
        if not old or not new:  # added or deleted
            lines.append(what)
        elif old == _("before"):
            lines.append(_("%s changed") % what)
        else:
            lines.append(_("%(what)s: “%(old)s” → “%(new)s”") % {"what": what, "old": _short(old), "new": _short(new)})
    return lines or [_("Nothing patients read changed.")]


class RestoreNote(str):
    """Something a restore could not bring back, in words for the editor."""


def _picture(target, content: dict) -> list[RestoreNote]:
    """Gives `target` the picture `content` names, with its description, if the file is still
    stored; otherwise the target keeps the picture (and description) it has, and the note says so."""
    page = content["page"]
    if "image" not in page:  # a revision from before pictures were recorded
        return [RestoreNote(_("This revision does not record a picture: the draft keeps the current one."))]
    storage = target._meta.get_field("image").storage
    if page["image"] and not storage.exists(page["image"]):
        return [
            RestoreNote(_("The picture of that revision is no longer stored: the draft keeps the current picture."))
        ]
    if page["image"] != (target.image.name or ""):
        target.image = page["image"]
    target.image_alt, target.image_is_decorative = page["image_alt"], page["image_is_decorative"]
    return []


def apply_content(target, content: dict) -> list[RestoreNote]:
    """Makes `target` (a page, or a draft) hold exactly `content`: its fields and every part, parts
    matched by identity (changed in place, created again when missing, removed when not in it).
    On a draft, a created part remembers the page's part it stands for, if that still exists.
    What cannot come back (a picture no longer stored, a source since deleted) is left as it is
    and returned as notes; anything else that leaves the page invalid is a ValidationError."""
    is_draft = target.draft_of_id is not None
    models_by_key = {"sections": Section, "faq": FAQEntry, "steps": PreventionStep}
    notes = _picture(target, content)
    for name, value in content["page"].items():
        if name not in PICTURE_FIELDS:
            setattr(target, name, value)
    target.full_clean(exclude=["image", "slug"] if is_draft else ["image"], validate_constraints=not is_draft)
    target.save()
    cited = [source for row in [*content["sections"], *content["faq"]] for source in row["sources"]]
    existing_sources = set(Source.objects.filter(pk__in={*cited, *content["sources"]}).values_list("pk", flat=True))
    if not existing_sources >= {*cited, *content["sources"]}:
        notes.append(RestoreNote(_("A source this revision cites has since been deleted: it is left out.")))

    def matching(existing, model, row, **parent):
        part = existing.get(row["id"]) if row["id"] is not None else None
        if part is None:
            part = model(**parent)
            if is_draft and row["id"] is not None and model.objects.filter(pk=row["id"]).exists():
                part.origin_id = row["id"]
        return part

    for key, model in models_by_key.items():
        _naming, fields, cites = PARTS[key]
        existing = {_identity(target, part): part for part in model.objects.filter(page=target)}
        wanted = {row["id"] for row in content[key] if row["id"] is not None}
        model.objects.filter(page=target).exclude(pk__in=[p.pk for i, p in existing.items() if i in wanted]).delete()
        if "anchor" in fields:  # parts may trade anchors: free every one before any is given again
            for part in model.objects.filter(page=target):
                model.objects.filter(pk=part.pk).update(anchor=f"restoring-{part.pk}")
        for row in content[key]:
            part = matching(existing, model, row, page=target)
            for name in fields:
                setattr(part, name, row[name])
            part.full_clean(exclude=["page", "origin"], validate_unique=False, validate_constraints=False)
            part.save()
            if cites:
                part.sources.set([source for source in row["sources"] if source in existing_sources])
            if key == "steps":
                tips = {_identity(target, tip): tip for tip in part.tips.all()}
                kept_tips = set()
                for tip_row in row["tips"]:
                    tip = matching(tips, PreventionTip, tip_row, step=part)
                    tip.order, tip.text = tip_row["order"], tip_row["text"]
                    tip.save()
                    kept_tips.add(tip.pk)
                part.tips.exclude(pk__in=kept_tips).delete()
    PageSource.objects.filter(page=target).delete()
    PageSource.objects.bulk_create(
        [
            PageSource(page=target, source_id=source, order=order)
            for order, source in enumerate(source for source in content["sources"] if source in existing_sources)
        ]
    )
    return notes
