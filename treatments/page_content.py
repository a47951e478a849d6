"""A treatment page as its public address shows it, in two queries whatever its length.

1. The treatment's published pages with the treatment: the page asked for, and the list of its
   sibling pages for the page's own navigation.
2. Every part of that page in one UNION ALL: its sections, questions, steps, the steps' tips and
   its reviews (with the reviewer's name and role).

The parts are handed to the page as Django's prefetch cache, so templates read them as usual
(`page.sections.all`, `step.tips.all`, `page.latest_review`). The admin, which lists many pages,
uses `TreatmentPage.objects.with_content()` (prefetching, a few more queries) instead.
"""

from django.contrib.auth import get_user_model
from django.db.models import DateField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.http import Http404

from .models import FAQEntry, PreventionStep, PreventionTip, Section, TreatmentPage
from .reviews import PageReview, Reviewer


def _rows(queryset, part, parent, order, first, second, third, day=None, user=None):
    """One model's rows in the shared column layout of the union."""
    columns = {
        "part": Value(part),
        "parent": F(parent),
        "position": F(order) if isinstance(order, str) else Value(order),
        "first_text": F(first),
        "second_text": F(second) if second else Value(""),
        "third_text": F(third) if third else Value(""),
        # A typed NULL: PostgreSQL matches each column's type across the parts of a union.
        "day": F(day) if day else Cast(Value(None), DateField()),
        "user": F(user) if user else Cast(Value(None), IntegerField()),
    }
    return (
        queryset.order_by()
        .annotate(**columns)
        .values_list("part", "pk", "parent", "position", "first_text", "second_text", "third_text", "day", "user")
    )


def page_parts_query(page: TreatmentPage):
    return _rows(Section.objects.filter(page=page), "section", "page_id", "order", "heading", "anchor", "body").union(
        _rows(FAQEntry.objects.filter(page=page), "faq", "page_id", "order", "question", "anchor", "answer"),
        _rows(PreventionStep.objects.filter(page=page), "step", "page_id", "order", "title", "", "detail"),
        _rows(PreventionTip.objects.filter(step__page=page), "tip", "step_id", "order", "text", "", ""),
        _rows(
            PageReview.objects.filter(page=page),
            "review",
            "reviewer_id",
            0,
            "reviewer__user__first_name",
            "reviewer__user__last_name",
            "reviewer__role",
            day="reviewed_on",
            user="reviewer__user_id",
        ),
        all=True,
    )


def attach_parts(page: TreatmentPage) -> TreatmentPage:
    """Reads every part of `page` in one query and hands them to it as prefetched relations."""
    rows = {"section": [], "faq": [], "step": [], "tip": [], "review": []}
    for part, pk, parent, order, first, second, third, day, user in page_parts_query(page):
        rows[part].append((order, pk, parent, first, second, third, day, user))
    for kind in rows.values():
        kind.sort()  # each model's own ordering: order, then pk

    sections = [
        Section(pk=pk, page=page, order=order, heading=heading, anchor=anchor, body=body)
        for order, pk, _, heading, anchor, body, _, _ in rows["section"]
    ]
    questions = [
        FAQEntry(pk=pk, page=page, order=order, question=question, anchor=anchor, answer=answer)
        for order, pk, _, question, anchor, answer, _, _ in rows["faq"]
    ]
    steps = {
        pk: PreventionStep(pk=pk, page=page, order=order, title=title, detail=detail)
        for order, pk, _, title, _, detail, _, _ in rows["step"]
    }
    tips = {pk: [] for pk in steps}
    for order, pk, step_id, text, *_ in rows["tip"]:
        tips[step_id].append(PreventionTip(pk=pk, step=steps[step_id], order=order, text=text))
    for step in steps.values():
        step._prefetched_objects_cache = {"tips": tips[step.pk]}
    User = get_user_model()
    reviews = [
        PageReview(
            pk=pk,
            page=page,
            reviewed_on=day,
            reviewer=Reviewer(pk=reviewer_id, role=role, user=User(pk=user, first_name=first, last_name=last)),
        )
        for _, pk, reviewer_id, first, last, role, day, user in rows["review"]
    ]
    page._prefetched_objects_cache = {
        "sections": sections,
        "faq_entries": questions,
        "steps": list(steps.values()),
        "reviews": reviews,
    }
    return page


def published_page(treatment_slug: str, page_slug: str) -> TreatmentPage:
    """The published page at this address with all it shows, or Http404."""
    pages = list(
        TreatmentPage.objects.published()
        .filter(treatment__slug=treatment_slug)
        .select_related("treatment")
        .order_by("order", "pk")
    )
    page = next((page for page in pages if page.slug == page_slug), None)
    if page is None:
        raise Http404(f"No published page {page_slug!r} of {treatment_slug!r}")
    page.treatment.sibling_pages = pages
    return attach_parts(page)
