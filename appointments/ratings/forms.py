"""The two forms at the foot of a page: the stars, then an optional comment. Both name their page
by reference and carry a honeypot field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .errors import RatingRefused
from .models import COMMENT_MAX_LENGTH, STARS
from .selectors import rateable_page

HONEYPOT_FIELD = "website"


class PageFeedbackForm(forms.Form):
    page = forms.CharField(max_length=100, required=False)
    website = forms.CharField(required=False)  # hidden from people; bots fill it in

    def clean_page(self):
        try:
            return rateable_page(self.cleaned_data["page"])
        except RatingRefused as refusal:
            raise forms.ValidationError(refusal.message) from refusal

    def refusal(self) -> RatingRefused:
        """The first error, as the endpoint's refusal (the page's own comes first)."""
        message = next(iter(self.errors.values()))[0]
        return RatingRefused(message, page=self.cleaned_data.get("page"))

    @property
    def sent_by_a_bot(self) -> bool:
        return bool(self.cleaned_data.get(HONEYPOT_FIELD))


class RatingForm(PageFeedbackForm):
    stars = forms.TypedChoiceField(
        choices=[(str(n), str(n)) for n in STARS],
        coerce=int,
        error_messages={
            "required": _("Choose from 1 to 5 stars, then send your rating."),
            "invalid_choice": _("A rating is from 1 to 5 stars."),
        },
    )


class CommentForm(PageFeedbackForm):
    comment = forms.CharField(
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        error_messages={
            "required": _("Write your comment, then send it."),
            "max_length": _("Please keep your comment to %(limit_value)d characters or fewer."),
        },
    )
