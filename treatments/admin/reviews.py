"""Clinical review in the admin: the review record, the reading grade, recording one's own review, and reviewers."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from sitewide.refusals import StaffRefusal

from ..claims import uncited_claims
from ..models import PageReview, Reviewer, TreatmentPage
from ..readability import grade, hardest_sentences, measure_for, page_readability
from ..reviews import can_record_own_review, review_record


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


class OwnReviewForm(forms.Form):
    notes = forms.CharField(label=_("Notes for staff"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    claims_signed_off = forms.BooleanField(
        label=_("I have read every claim listed above without a source and stand behind each one"),
        required=False,
    )


class ReviewViews:
    """The review record on a page's form, the reading grade, and "Record my review"."""

    @admin.display(description=_("review status"))
    def review_status(self, page):
        if page.pk is None:
            return "-"
        if page.draft_of_id:
            return _("Reviews belong to the published page: a clinical reviewer records one there, after publishing.")
        review = page.latest_review
        if review is None:
            text = _(
                "Not yet reviewed. Patients read 'No clinician has reviewed this page yet' until a review is recorded."
            )
            return text
        text = _("Reviewed by %(reviewer)s on %(date)s; next review due %(due)s.") % {
            "reviewer": review.reviewer,
            "date": review.reviewed_on,
            "due": review.next_review_due,
        }
        if page.changed_since_review:
            text = format_html("<strong>{}</strong> {}", _("Changed since the last review:"), text)
        if review.is_overdue:
            text = format_html("<strong>{}</strong> {}", _("Overdue:"), text)
        return text

    def review_view(self, request, object_id):
        """A clinical reviewer records their own review: the claims check and the reading grade
        first, then what they sign. Anyone else is refused (403)."""
        page = get_object_or_404(TreatmentPage.objects.live().with_content(), pk=object_id)  # never a draft
        if not can_record_own_review(request.user):
            raise StaffRefusal(
                _(
                    "Only a clinical reviewer records a review of a page, signed in, in their own name: an account "
                    "in the Clinical reviewers group with a reviewer's role on file (Reviewers)."
                )
            )
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
            '<p data-reading-grade-url="{}?language={}">{} {} ({} {}: {})</p>',
            reverse("admin:treatments_treatmentpage_reading_grade"),
            page.language,
            result.measure.name,
            result.grade,
            _("target"),
            result.target,
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
                for part in sorted(above, key=lambda part: result.measure.hardness(part.grade), reverse=True)
            ),
        )
        return format_html("{}<p>{}</p><ul>{}</ul>", summary, _("Parts above the target:"), rows)

    def reading_grade_view(self, request):
        """The reading grade of a text as the editor types it (static/js/reading-grade.js)."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        text = request.POST.get("text", "")[:20000]
        measure = measure_for(request.GET.get("language"))
        value = grade(text, measure.language)
        return JsonResponse(
            {
                "grade": value,
                "target": measure.target,
                "above": measure.too_hard(value),
                "hardest": [sentence for sentence, _grade in hardest_sentences(text, language=measure.language)],
            }
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """ "Record my review" is offered to clinical reviewers only, on a published page's form."""
        extra_context = {**(extra_context or {}), "can_record_review": can_record_own_review(request.user)}
        return super().change_view(request, object_id, form_url, extra_context)

    def review_urls(self):
        return [
            path(
                "reading-grade/",
                self.admin_site.admin_view(self.reading_grade_view),
                name="treatments_treatmentpage_reading_grade",
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="treatments_treatmentpage_review",
            ),
        ]


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
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("Someone already signs in with this user name."))
        return username

    def clean_password(self):
        validate_password(self.cleaned_data["password"])
        return self.cleaned_data["password"]

    def _post_clean(self):
        pass  # the reviewer's user does not exist until save(); Reviewer's own checks need it

    def save(self, commit=True):
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
