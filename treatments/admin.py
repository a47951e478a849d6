"""Content in the admin: the clinic, treatments, their pages with everything on them, the review
record and each page's history and reading grade."""

from csp.constants import SELF
from csp.decorators import csp_replace, csp_update
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from simple_history.admin import SimpleHistoryAdmin

from .claims import page_claims, uncited_claims
from .drafts import DraftExists, discard, draft_of, open_draft, publish, restore_as_draft, schedule
from .history import page_changes
from .models import (
    Clinic,
    ClinicClosure,
    FAQEntry,
    OpeningTime,
    PreventionStep,
    PreventionTip,
    Section,
    Treatment,
    TreatmentPage,
)
from .page_content import attach_parts
from .readability import grade, hardest_sentences, page_readability
from .reviews import PageReview, Reviewer, can_record_own_review, review_record
from .revisions import PageRevision, changes, differences, record_revision, snapshot
from .sources import PageSource, Source

PICTURE_FIELDS = ["image", "image_alt", "image_is_decorative"]


def frames_allowed_here(request, response):
    """The preview's own admin page may show this site's pages in frames (django-csp's decorator,
    applied to this one response)."""
    return csp_update({"frame-src": [SELF]})(lambda request: response)(request)


def framed_by_the_admin(request, response):
    """A draft's page, which only the admin's preview (this site) may show in a frame."""
    response = xframe_options_sameorigin(lambda request: response)(request)
    return csp_replace({"frame-ancestors": [SELF]})(lambda request: response)(request)


class OpeningTimeInline(admin.TabularInline):
    model = OpeningTime
    fields = ["weekday", "opens", "closes"]
    extra = 0
    verbose_name_plural = _(
        "Opening hours (the response promise and overdue badges are counted on these; none: no promise is made)"
    )


class ClinicClosureInline(admin.TabularInline):
    model = ClinicClosure
    fields = ["day", "reason"]
    extra = 0


@admin.register(Clinic)
class ClinicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "phone", "email", "accepting_new_patients"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "phone",
                    "email",
                    "street_address",
                    "address_note",
                    "locality",
                    "city",
                    "region",
                    "postal_code",
                    "next_steps",
                    "accepting_new_patients",
                ]
            },
        ),
        (
            _("Visiting page (each part is shown only once written)"),
            {"fields": ["directions", "step_free_access", "costs"]},
        ),
        (
            _("Front desk and editors"),
            {"fields": ["staff_alert_email", "response_business_days", "review_interval_months"]},
        ),
    ]
    inlines = [OpeningTimeInline, ClinicClosureInline]

    def has_add_permission(self, request):
        # The site shows one clinic; add it only when there is none yet.
        return super().has_add_permission(request) and not Clinic.objects.exists()


class TreatmentPageInline(admin.TabularInline):
    model = TreatmentPage
    fields = ["title", "short_title", "slug", "kind", "order", "is_published"]
    show_change_link = True
    extra = 0


@admin.register(Treatment)
class TreatmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "order", "is_published"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "summary", "order", "is_published"]}),
        (_("Picture on the treatment's card"), {"fields": PICTURE_FIELDS}),
    ]
    list_editable = ["order", "is_published"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TreatmentPageInline]


@admin.register(Source)
class SourceAdmin(SimpleHistoryAdmin):
    list_display = ["title", "publisher", "date_display", "url", "checked_on"]
    list_filter = ["publisher"]
    search_fields = ["title", "publisher", "url"]
    fields = ["title", "publisher", "published_on", "published_precision", "url", "checked_on", "notes"]

    @admin.display(description=_("date of the source"))
    def date_display(self, source):
        return source.date_display


class PageSourceInline(admin.TabularInline):
    model = PageSource
    fields = ["order", "source"]
    autocomplete_fields = ["source"]
    extra = 0
    verbose_name_plural = _("Sources of this page (shown to patients in this order)")


class SectionInline(admin.StackedInline):
    model = Section
    template = "admin/treatments/edit_inline/page_parts.html"  # each part folded to its title
    fields = ["order", "heading", "anchor", "body", "sources"]
    autocomplete_fields = ["sources"]
    prepopulated_fields = {"anchor": ["heading"]}
    extra = 0


class FAQEntryInline(admin.StackedInline):
    model = FAQEntry
    template = "admin/treatments/edit_inline/page_parts.html"  # each part folded to its title
    fields = ["order", "question", "anchor", "answer", "sources"]
    autocomplete_fields = ["sources"]
    prepopulated_fields = {"anchor": ["question"]}
    extra = 0


class PreventionStepInline(admin.StackedInline):
    model = PreventionStep
    template = "admin/treatments/edit_inline/page_parts.html"  # each part folded to its title
    fields = ["order", "title", "detail"]
    show_change_link = True  # Its tips are edited on the step's own page.
    extra = 0


class PageReviewInline(admin.TabularInline):
    """The review record, read-only: a clinical reviewer records their own review, signed in, from
    "Record my review" (review_view below); nobody types a review in someone else's name."""

    model = PageReview
    fields = ["reviewed_on", "reviewer", "recorded_by_whom", "revision_number", "claims_signed_off", "notes"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Review record")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("recorded by"))
    def recorded_by_whom(self, review):
        return review.recorded_by_whom

    @admin.display(description=_("revision reviewed"))
    def revision_number(self, review):
        return review.revision.number if review.revision_id else _("not recorded (before revisions)")


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publish at (leave empty to publish now)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_publish_at(self):
        from django_tasks import task_backends

        from .tasks import publish_scheduled_draft

        when = self.cleaned_data["publish_at"]
        if when is not None and when <= timezone.now():
            raise ValidationError(_("That time has passed. Leave it empty to publish now."))
        if when is not None and not task_backends[publish_scheduled_draft.backend].supports_defer:
            raise ValidationError(
                _(
                    "Publishing at a time needs the background worker, which this server does not run "
                    "(`make run` runs none: `make serve` does). Leave it empty to publish now."
                )
            )
        return when


class OwnReviewForm(forms.Form):
    notes = forms.CharField(label=_("Notes for staff"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    claims_signed_off = forms.BooleanField(
        label=_("I have read every claim listed above without a source and stand behind each one"),
        required=False,
    )


@admin.register(TreatmentPage)
class TreatmentPageAdmin(SimpleHistoryAdmin):
    class Media:
        js = ["js/reading-grade.js"]

    list_display = [
        "title",
        "treatment",
        "updated",
        "last_review",
        "next_review",
        "reading_grade",
        "is_published",
    ]
    list_filter = ["treatment", "kind", "is_published"]
    search_fields = ["title", "summary"]
    readonly_fields = [
        "draft_panel",
        "review_status",
        "readability",
        "claims_check",
        "unwritten",
        "updated",
        "revision_list",
        "change_history",
    ]
    fieldsets = [
        (
            _("Draft and review"),
            {"fields": ["draft_panel", "review_status", "readability", "claims_check", "unwritten"]},
        ),
        (
            None,
            {
                "fields": [
                    "treatment",
                    "kind",
                    "title",
                    "short_title",
                    "slug",
                    "summary",
                    "description",
                    "intro",
                    "at_a_glance",
                    "order",
                ]
            },
        ),
        (
            _("Before deciding (each is shown to patients only once written, and only from a cited source)"),
            {"fields": ["who_should_not", "risks", "when_to_get_help", "cost"]},
        ),
        (_("Picture"), {"fields": PICTURE_FIELDS}),
        (_("Publication"), {"fields": ["updated", "is_published"]}),
        (_("Revisions of the whole page"), {"fields": ["revision_list"], "classes": ["collapse"]}),
        (_("History of each part"), {"fields": ["change_history"], "classes": ["collapse"]}),
    ]
    inlines = [PageReviewInline, PageSourceInline, SectionInline, FAQEntryInline, PreventionStepInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_content()

    @admin.display(description=_("last updated"), ordering="words_changed_at")
    def updated(self, page):
        """Set by the site when the page's words change; nobody types it."""
        return page.last_updated or "-"

    @admin.display(description=_("claims check"))
    def claims_check(self, page):
        if page.pk is None:
            return "-"
        claims = page_claims(page)
        if not claims:
            return _("No claim phrases found.")
        rows = format_html_join(
            "",
            "<li>“{}” <em>({})</em>: {} <br><small>{}</small></li>",
            (
                (
                    claim.words,
                    claim.where,
                    _("cites %(sources)s") % {"sources": ", ".join(source.title for source in claim.sources)}
                    if claim.is_cited
                    else format_html("<strong>{}</strong>", _("no source")),
                    claim.excerpt,
                )
                for claim in claims
            ),
        )
        return format_html(
            "<p>{}</p><ul>{}</ul>",
            _(
                "Words that health-advertising rules treat as claims needing evidence (the list is in "
                "treatments/claims.py). One without a source stops the page being marked reviewed, unless the "
                "reviewing clinician signs it off."
            ),
            rows,
        )

    @admin.display(description=_("not written yet"))
    def unwritten(self, page):
        if page.pk is None:
            return "-"
        missing = page.unwritten_sections
        if not missing:
            return _("Every part a patient needs before deciding is written.")
        return format_html(
            "{} <strong>{}</strong>",
            _("Not shown to patients until written:"),
            ", ".join(str(part) for part in missing),
        )

    @admin.display(description=_("last review"))
    def last_review(self, page):
        review = page.latest_review
        return review.reviewed_on if review else _("not yet reviewed")

    @admin.display(description=_("next review due"))
    def next_review(self, page):
        review = page.latest_review
        if review is None:
            return _("due now (never reviewed)")
        if review.is_overdue:
            return format_html('<strong class="review-overdue">{} ({})</strong>', _("overdue"), review.next_review_due)
        return review.next_review_due

    @admin.display(description=_("reading grade"))
    def reading_grade(self, page):
        readability = page_readability(page)
        mark = "" if readability.meets_target else " ✗"
        return f"{readability.grade}{mark}"

    @admin.display(description=_("review status"))
    def review_status(self, page):
        if page.pk is None:
            return "-"
        if page.draft_of_id:
            return _("Reviews belong to the published page: a clinical reviewer records one there, after publishing.")
        record = reverse("admin:treatments_treatmentpage_review", args=[page.pk])
        how = format_html(' <a href="{}">{}</a>', record, _("Record my review (clinical reviewers)"))
        review = page.latest_review
        if review is None:
            text = _(
                "Not yet reviewed. Patients read 'No clinician has reviewed this page yet' until a review is recorded."
            )
            return format_html("{}{}", text, how)
        text = _("Reviewed by %(reviewer)s on %(date)s; next review due %(due)s.") % {
            "reviewer": review.reviewer,
            "date": review.reviewed_on,
            "due": review.next_review_due,
        }
        if page.changed_since_review:
            text = format_html("<strong>{}</strong> {}", _("Changed since the last review:"), text)
        if review.is_overdue:
            text = format_html("<strong>{}</strong> {}", _("Overdue:"), text)
        return format_html("{}{}", text, how)

    def view_on_site(self, page):
        """A draft's "View on site" is its preview: the site shows the published page."""
        if page.draft_of_id:
            return reverse("admin:treatments_treatmentpage_preview", args=[page.pk])
        return page.get_absolute_url()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.draft_of_id is None:  # a draft's revision is stored when it is published
            record_revision(form.instance, request.user)  # once the page and every part on it are saved

    @admin.display(description=_("revisions"))
    def revision_list(self, page):
        if page.pk is None:
            return "-"
        revisions = list(page.revisions.select_related("created_by").order_by("-number"))
        rows = []
        for index, revision in enumerate(revisions):
            before = revisions[index + 1].content if index + 1 < len(revisions) else None
            restore = reverse("admin:treatments_treatmentpage_restore", args=[page.pk, revision.number])
            action = "" if index == 0 else format_html('<a href="{}">{}</a>', restore, _("Restore this revision"))
            rows.append(
                (
                    revision.number,
                    f"{timezone.localtime(revision.created_at):%-d %b %Y, %-I:%M %p}",
                    revision.who,
                    format_html_join("", "<li>{}</li>", ((line,) for line in differences(before, revision.content))),
                    action,
                )
            )
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td><ul>{}</ul></td><td>{}</td></tr>", rows)
        return format_html(
            "<table><thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th></th></tr></thead><tbody>{}</tbody></table>",
            _("When"),
            _("Who"),
            _("What changed"),
            body,
        )

    def restore_view(self, request, object_id, number):
        """Shows what restoring a revision changes, and brings it back as a draft on a POST."""
        page = get_object_or_404(TreatmentPage.objects.live(), pk=object_id)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        revision = get_object_or_404(PageRevision, page=page, number=number)
        change_url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
        if request.method == "POST":
            try:
                draft = restore_as_draft(revision, request.user)
            except DraftExists:
                self.message_user(
                    request, _("This page already has a draft: publish or discard it first."), messages.ERROR
                )
                return redirect(change_url)
            self.message_user(
                request,
                _("Revision %(number)s is back as a draft: check it, preview it, then publish it.")
                % {"number": revision.number},
                messages.SUCCESS,
            )
            return redirect(reverse("admin:treatments_treatmentpage_change", args=[draft.pk]))
        return self._draft_page(
            request,
            page,
            "admin/treatments/treatmentpage/restore.html",
            title=_("Restore revision %(number)s of %(page)s") % {"number": number, "page": page},
            revision=revision,
            changes=changes(snapshot(page), revision.content),
        )

    def _draft_page(self, request, page, template, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "original": page,
                "change_url": reverse("admin:treatments_treatmentpage_change", args=[page.pk]),
                **context,
            },
        )

    def _editable(self, request, object_id, drafts):
        page = get_object_or_404(TreatmentPage.objects.filter(draft_of__isnull=not drafts), pk=object_id)
        if not self.has_change_permission(request, page):
            raise PermissionDenied
        return page

    def open_draft_view(self, request, object_id):
        """Edit as a draft: the page's draft, made on a POST if it has none."""
        page = self._editable(request, object_id, drafts=False)
        if request.method == "POST":
            draft = open_draft(page, request.user)
            return redirect(reverse("admin:treatments_treatmentpage_change", args=[draft.pk]))
        return self._draft_page(
            request,
            page,
            "admin/treatments/treatmentpage/open_draft.html",
            title=_("Edit %s as a draft") % page,
            draft=draft_of(page),
        )

    def preview_view(self, request, object_id):
        """The draft as patients would read it, in two frames: a phone's width and a laptop's."""
        draft = self._editable(request, object_id, drafts=True)
        response = self._draft_page(
            request,
            draft,
            "admin/treatments/treatmentpage/preview.html",
            title=_("Preview of the draft of %s") % draft.draft_of,
            page_url=reverse("admin:treatments_treatmentpage_preview_page", args=[draft.pk]),
        )
        return frames_allowed_here(request, response)

    def preview_page_view(self, request, object_id):
        """The draft exactly as patients would read it, from the admin only (never cached)."""
        draft = attach_parts(self._editable(request, object_id, drafts=True))
        live = draft.draft_of
        siblings = live.treatment.pages.live().order_by("order", "pk")
        draft.treatment.sibling_pages = [draft if page.pk == live.pk else page for page in siblings]
        template_names = [f"treatments/page_{draft.kind}.html", "treatments/page.html"]
        response = render(request, template_names, {"page": draft, "treatment": draft.treatment})
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return framed_by_the_admin(request, response)

    def publish_view(self, request, object_id):
        """The draft beside its page, difference by difference; publish now or at a time."""
        draft = self._editable(request, object_id, drafts=True)
        live = draft.draft_of
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            when = form.cleaned_data["publish_at"]
            try:
                if when is None:
                    publish(draft, request.user)
                    done = _("Published: patients now read the new page.")
                else:
                    schedule(draft, when)
                    done = _("It will be published on %s.") % f"{timezone.localtime(when):%-d %b %Y, %-I:%M %p}"
            except ValidationError as error:  # e.g. an address another page has taken meanwhile
                form.add_error(None, error)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect(reverse("admin:treatments_treatmentpage_change", args=[live.pk]))
        return self._draft_page(
            request,
            draft,
            "admin/treatments/treatmentpage/publish.html",
            title=_("Publish the draft of %s") % live,
            live=live,
            changes=changes(snapshot(live), snapshot(draft)),
            form=form,
        )

    def discard_view(self, request, object_id):
        draft = self._editable(request, object_id, drafts=True)
        live = draft.draft_of
        if request.method == "POST":
            discard(draft)
            self.message_user(request, _("The draft is discarded; the page is as it was."), messages.SUCCESS)
            return redirect(reverse("admin:treatments_treatmentpage_change", args=[live.pk]))
        return self._draft_page(
            request, draft, "admin/treatments/treatmentpage/discard.html", title=_("Discard the draft"), live=live
        )

    @admin.display(description=_("draft"))
    def draft_panel(self, page):
        if page.pk is None:
            return "-"

        def link(name, text, target=page, query=""):
            url = reverse(f"admin:treatments_treatmentpage_{name}", args=[target.pk])
            return format_html('<a href="{}{}">{}</a>', url, query, text)

        if page.draft_of_id is None:
            draft = draft_of(page)
            if draft is None:
                return format_html(
                    "{} {}", _("Changes saved here are published at once."), link("open_draft", _("Edit as a draft"))
                )
            return format_html(
                "{} {}", _("This page has a draft waiting."), link("change", _("Open the draft"), draft)
            )
        scheduled = ""
        if page.publish_at:
            scheduled = _("To be published on %s.") % f"{timezone.localtime(page.publish_at):%-d %b %Y, %-I:%M %p}"
        links = format_html_join(
            " · ",
            "{}",
            (
                (link("preview", _("Preview at phone width"), query="?width=phone"),),
                (link("preview", _("Preview at laptop width")),),
                (link("publish", _("Compare and publish")),),
                (link("discard", _("Discard the draft")),),
                (link("change", _("The published page"), page.draft_of),),
            ),
        )
        return format_html("<strong>{}</strong> {} {}", _("A draft: patients do not see it."), scheduled, links)

    def get_urls(self):
        restore_url = path(
            "<path:object_id>/revisions/<int:number>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name="treatments_treatmentpage_restore",
        )
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="treatments_treatmentpage_review",
        )
        reading_grade = path(
            "reading-grade/",
            self.admin_site.admin_view(self.reading_grade_view),
            name="treatments_treatmentpage_reading_grade",
        )
        drafts = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(getattr(self, f"{name}_view")),
                name=f"treatments_treatmentpage_{name}",
            )
            for name in ["open_draft", "preview", "publish", "discard"]
        ]
        drafts.append(
            path(
                "<path:object_id>/preview/page/",
                self.admin_site.admin_view(self.preview_page_view),
                name="treatments_treatmentpage_preview_page",
            )
        )
        return [reading_grade, restore_url, review, *drafts, *super().get_urls()]

    def review_view(self, request, object_id):
        """A clinical reviewer records their own review: the claims check and the reading grade
        first, then what they sign. Anyone else is refused (403)."""
        page = get_object_or_404(TreatmentPage.objects.live().with_content(), pk=object_id)  # never a draft
        if not can_record_own_review(request.user):
            raise PermissionDenied
        uncited = uncited_claims(page)
        form = OwnReviewForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                review_record(page=page, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                self.message_user(
                    request, _("Your review of “%s” is recorded, in your name.") % page, messages.SUCCESS
                )
                return redirect(reverse("admin:treatments_treatmentpage_change", args=[page.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Record my review: %s") % page,
            "opts": self.opts,
            "original": page,
            "page": page,
            "form": form,
            "uncited": uncited,
            "claims_check": self.claims_check(page),
            "readability": self.readability(page),
            "reviewer": request.user.reviewer,
            "today": timezone.localdate(),
        }
        return TemplateResponse(request, "admin/treatments/treatmentpage/review.html", context)

    @admin.display(description=_("reading grade"))
    def readability(self, page):
        if page.pk is None:
            return "-"
        result = page_readability(page)
        verdict = _("meets the target") if result.meets_target else _("above the target: please simplify")
        summary = format_html(
            '<p data-reading-grade-url="{}">{} {} ({} {}: {})</p>',
            reverse("admin:treatments_treatmentpage_reading_grade"),
            _("Flesch-Kincaid grade"),
            result.grade,
            _("target"),
            settings.READING_GRADE_TARGET,
            verdict,
        )
        above = result.parts_above_target
        if not above:
            return format_html("{}<p>{}</p>", summary, _("Every part is at or below the target."))
        # Each part above the target, even when the page's average meets it, with the sentences
        # to rewrite first.
        rows = format_html_join(
            "",
            '<li><strong>{}</strong>: {} {} <ul class="reading-grade__sentences">{}</ul></li>',
            (
                (
                    part.name,
                    _("grade"),
                    part.grade,
                    format_html_join("", "<li>“{}” ({})</li>", part.hardest_sentences),
                )
                for part in sorted(above, key=lambda part: part.grade, reverse=True)
            ),
        )
        return format_html("{}<p>{}</p><ul>{}</ul>", summary, _("Parts above the target:"), rows)

    def reading_grade_view(self, request):
        """The reading grade of a text as the editor types it (static/js/reading-grade.js)."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        text = request.POST.get("text", "")[:20000]
        value = grade(text)
        return JsonResponse(
            {
                "grade": value,
                "target": settings.READING_GRADE_TARGET,
                "above": value > settings.READING_GRADE_TARGET,
                "hardest": [sentence for sentence, _grade in hardest_sentences(text)],
            }
        )

    @admin.display(description=_("changes to this page"))
    def change_history(self, page):
        if page.pk is None:
            return "-"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (  # the clinic's time, to the minute
                (f"{timezone.localtime(change.when):%-d %b %Y, %-I:%M %p}", change.who, change.what)
                for change in page_changes(page)
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            _("When"),
            _("Who"),
            _("What changed"),
            rows,
        )


class PreventionTipInline(admin.TabularInline):
    model = PreventionTip
    fields = ["order", "text"]
    extra = 0


@admin.register(PreventionStep)
class PreventionStepAdmin(SimpleHistoryAdmin):
    list_display = ["title", "page", "order"]
    list_filter = ["page"]
    list_select_related = ["page__treatment"]
    inlines = [PreventionTipInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.page.draft_of_id is None:
            record_revision(form.instance.page, request.user)  # a step's tips are part of its page


class NewClinicalReviewerForm(forms.ModelForm):
    """A clinical reviewer in one form: their staff account, their name and role as patients read
    them, and the permission to record their own reviews (the "Clinical reviewers" group)."""

    first_name = forms.CharField(label=_("first name"), max_length=150)
    last_name = forms.CharField(label=_("last name"), max_length=150)
    email = forms.EmailField(label=_("e-mail"))
    username = forms.CharField(label=_("user name (to sign in)"), max_length=150)
    password = forms.CharField(
        label=_("first password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Give it to them in person; they set up their authenticator app at their first sign-in."),
    )

    class Meta:
        model = Reviewer
        fields = ["role"]

    def clean_username(self):
        from django.contrib.auth import get_user_model

        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Someone already signs in with this user name."))
        return username

    def clean_password(self):
        from django.contrib.auth.password_validation import validate_password

        validate_password(self.cleaned_data["password"])
        return self.cleaned_data["password"]

    def _post_clean(self):
        pass  # the reviewer's user does not exist until save(); Reviewer's own checks need it

    def save(self, commit=True):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db import transaction

        data = self.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                data["username"],
                data["email"],
                data["password"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                is_staff=True,
            )
            user.groups.add(Group.objects.get(name="Clinical reviewers"))
            self.instance.user = user
            self.instance.role = data["role"]
            self.instance.save()
        return self.instance

    def save_m2m(self):
        pass


@admin.register(Reviewer)
class ReviewerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "may_record_reviews"]
    list_select_related = ["user"]
    add_fieldsets = [(None, {"fields": ["first_name", "last_name", "role", "email", "username", "password"]})]

    @admin.display(description=_("records their own reviews"), boolean=True)
    def may_record_reviews(self, reviewer):
        return can_record_own_review(reviewer.user)

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = NewClinicalReviewerForm
            kwargs["fields"] = None
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # A new reviewer was saved, with their account, by the admin's form.save() already.
