"""A treatment page as its public address shows it, in two queries whatever its length.

1. The treatment's published pages with the treatment: the page asked for, and the list of its
   sibling pages for the page's own navigation.
2. Every part of that page in one UNION ALL: its sections, questions, steps, the steps' tips, its
   reviews (with the reviewer's name and role), its sources and which part cites which.

The parts are handed to the page as plain attributes, under the same names that
`TreatmentPage.objects.with_content()` gives them with Django's `Prefetch(to_attr=...)` (the
admin's way, a few more queries): `page.section_list`, `page.faq_list`, `page.step_list` (each
step's `tip_list`), `page.review_list`, `page.page_source_list`, and each section's and question's
`source_cache`. Templates and the readability and claims checks read those names only.
"""

from django.contrib.auth import get_user_model
from django.db.models import CharField, DateField, F, IntegerField, Q, Value
from django.db.models.functions import Cast
from django.http import Http404

from .models import (
    FAQEntry,
    PageReview,
    PageSource,
    PreventionStep,
    PreventionTip,
    Reviewer,
    Section,
    Source,
    TreatmentPage,
)

COLUMNS = ["part", "pk", "parent", "position", "text1", "text2", "text3", "text4", "day1", "day2", "user"]

# Every field of every model read here is either carried to the page or left out for a reason.
# tests/treatments/test_page_content.py fails when a model gains a field missing from both: a new
# field would otherwise render empty on the public page without a word.
CARRIED = {
    Section: {"id", "page", "order", "heading", "anchor", "body", "sources"},
    FAQEntry: {"id", "page", "order", "question", "anchor", "answer", "sources"},
    PreventionStep: {"id", "page", "order", "title", "detail"},
    PreventionTip: {"id", "step", "order", "text"},
    PageReview: {"id", "page", "reviewer", "reviewed_on"},
    Reviewer: {"id", "role", "user"},
    Source: {"id", "title", "publisher", "url", "published_precision", "published_on", "checked_on", "language"},
    PageSource: {"page", "source", "order"},
}
DRAFTS_ONLY = {"origin": "a draft's part names the part it stands for; the public page never shows a draft"}
LEFT_OUT = {
    Section: DRAFTS_ONLY,
    FAQEntry: DRAFTS_ONLY,
    PreventionStep: DRAFTS_ONLY,
    PreventionTip: DRAFTS_ONLY,
    PageReview: {
        "notes": "the reviewer's notes are for editors",
        "recorded_at": "the page shows the review's date, not when it was typed in",
        "claims_signed_off": "the admin's claims check",
        "signed_off_claims": "the admin's claims check",
        "recorded_by": "who recorded it, for staff (the reviewer, since reviewers sign in to record)",
        "words_as_of": "the page's own reviewed_words_at says whether it changed since",
        "revision": "which whole-page revision was reviewed, for staff",
    },
    Source: {"notes": "editors' notes on the source"},
    PageSource: {"id": "a row of the page's list; nothing links to it"},
}


def _value(name):
    return F(name) if name else Value("")


def _rows(queryset, part, parent, order, texts=(), days=(), user=None):
    """One model's rows in the shared column layout of the union."""
    texts = list(texts) + [""] * (4 - len(texts))
    days = list(days) + [None] * (2 - len(days))
    columns = {
        "part": Value(part),
        "parent": F(parent),
        "position": F(order) if isinstance(order, str) else Value(order),
        **{f"text{number}": Cast(_value(name), CharField()) for number, name in enumerate(texts, start=1)},
        # A typed NULL: PostgreSQL matches each column's type across the parts of a union.
        **{f"day{number}": F(name) if name else Cast(Value(None), DateField()) for number, name in enumerate(days, 1)},
        "user": F(user) if user else Cast(Value(None), IntegerField()),
    }
    return queryset.order_by().annotate(**columns).values_list(*COLUMNS)


def page_parts_query(page: TreatmentPage):
    section_citations = Section.sources.through.objects.filter(section__page=page)
    question_citations = FAQEntry.sources.through.objects.filter(faqentry__page=page)
    cited = Q(pages=page) | Q(sections__page=page) | Q(faq_entries__page=page)
    return _rows(
        Section.objects.filter(page=page), "section", "page_id", "order", ["heading", "anchor", "body"]
    ).union(
        _rows(FAQEntry.objects.filter(page=page), "faq", "page_id", "order", ["question", "anchor", "answer"]),
        _rows(PreventionStep.objects.filter(page=page), "step", "page_id", "order", ["title", "", "detail"]),
        _rows(PreventionTip.objects.filter(step__page=page), "tip", "step_id", "order", ["text"]),
        _rows(
            PageReview.objects.filter(page=page),
            "review",
            "reviewer_id",
            0,
            ["reviewer__user__first_name", "reviewer__user__last_name", "reviewer__role"],
            days=["reviewed_on"],
            user="reviewer__user_id",
        ),
        _rows(PageSource.objects.filter(page=page), "page-cites", "source_id", "order"),
        _rows(section_citations, "section-cites", "source_id", "section_id"),
        _rows(question_citations, "faq-cites", "source_id", "faqentry_id"),
        _rows(
            Source.objects.filter(pk__in=Source.objects.filter(cited).values("pk")),
            "source",
            "pk",
            0,
            ["title", "publisher", "url", "published_precision"],
            days=["published_on", "checked_on"],
        ),
        all=True,
    )


def attach_parts(page: TreatmentPage) -> TreatmentPage:
    """Reads every part of `page` in one query and hands them to it as attributes."""
    rows = {name: [] for name in ["section", "faq", "step", "tip", "review", "source"]}
    rows.update({"page-cites": [], "section-cites": [], "faq-cites": []})
    for part, pk, parent, order, *rest in page_parts_query(page):
        rows[part].append((order, pk, parent, *rest))
    for kind in rows.values():
        kind.sort(key=lambda row: row[:2])  # each model's own ordering: order, then pk

    sources = {
        pk: Source(
            pk=pk,
            title=title,
            publisher=publisher,
            url=url,
            published_precision=precision,
            published_on=published_on,
            checked_on=checked_on,
        )
        for _, pk, _, title, publisher, url, precision, published_on, checked_on, _ in rows["source"]
    }
    cites = {"section": {}, "faq": {}}
    for kind in cites:
        # (owner id, _, source id): the owner's id stands in the "position" column.
        for owner, _, source_id, *_ in sorted(rows[f"{kind}-cites"], key=lambda row: (row[0], row[2])):
            cites[kind].setdefault(owner, []).append(sources[source_id])

    page.section_list = []
    for order, pk, _, heading, anchor, body, *_ in rows["section"]:
        section = Section(pk=pk, page=page, order=order, heading=heading, anchor=anchor, body=body)
        section.source_cache = cites["section"].get(pk, [])
        page.section_list.append(section)
    page.faq_list = []
    for order, pk, _, question, anchor, answer, *_ in rows["faq"]:
        entry = FAQEntry(pk=pk, page=page, order=order, question=question, anchor=anchor, answer=answer)
        entry.source_cache = cites["faq"].get(pk, [])
        page.faq_list.append(entry)
    steps = {}
    for order, pk, _, title, _, detail, *_ in rows["step"]:
        steps[pk] = PreventionStep(pk=pk, page=page, order=order, title=title, detail=detail)
        steps[pk].tip_list = []
    for order, pk, step_id, text, *_ in rows["tip"]:
        steps[step_id].tip_list.append(PreventionTip(pk=pk, step=steps[step_id], order=order, text=text))
    page.step_list = list(steps.values())
    User = get_user_model()
    page.review_list = [
        PageReview(
            pk=pk,
            page=page,
            reviewed_on=day,
            reviewer=Reviewer(pk=reviewer_id, role=role, user=User(pk=user, first_name=first, last_name=last)),
        )
        for _, pk, reviewer_id, first, last, role, _, day, _, user in rows["review"]
    ]
    page.page_source_list = [
        PageSource(pk=None, page=page, source=sources[source_id], order=order)
        for order, _, source_id, *_ in rows["page-cites"]
    ]
    return page


def published_page(treatment_slug: str, page_slug: str, language: str) -> TreatmentPage:
    """The published page at this address in this language with all it shows, or Http404."""
    pages = list(
        TreatmentPage.objects.published()
        .filter(treatment__slug=treatment_slug, treatment__language=language)
        .with_versions()
        .select_related("treatment__warning_source")
        .order_by("order", "pk")
    )
    page = next((page for page in pages if page.slug == page_slug), None)
    if page is None:
        raise Http404(f"No published page {page_slug!r} of {treatment_slug!r}")
    page.treatment.sibling_pages = pages
    return attach_parts(page)
