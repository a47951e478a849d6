"""Recording a clinical review: only a clinical reviewer, in their own name, of the page's words
as they stand, with the claims check's rule (treatments/claims.py) holding."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .claims import uncited_claims
from .models import ClaimSignOff, PageReview, Reviewer, TreatmentPage
from .revisions import record_revision


def can_record_own_review(user) -> bool:
    """A clinical reviewer: a member of staff with the permission and a reviewer's role on file."""
    return (
        user.is_authenticated
        and user.is_staff
        and user.has_perm("treatments.record_own_review")
        and Reviewer.objects.filter(user=user).exists()
    )


def review_record(*, page, user, notes: str = "", claims_signed_off: bool = False) -> PageReview:
    """Records `user`'s own review of `page` as its words stand now (today, in their name): the
    claims check's rule holds, and the page remembers which version of its
    words was reviewed, so a later change shows "changed since the last review"."""
    if not can_record_own_review(user):
        raise PermissionDenied("only a clinical reviewer records a review, in their own name")
    with transaction.atomic():
        locked = TreatmentPage.objects.select_for_update().get(pk=page.pk)
        record_revision(locked)  # the page as reviewed has a revision (none is added if it has one)
        review = PageReview(
            revision=locked.revisions.order_by("-number").first(),
            page=locked,
            reviewer=user.reviewer,
            reviewed_on=timezone.localdate(),
            notes=notes,
            claims_signed_off=claims_signed_off,
            recorded_by=user,
            words_as_of=locked.words_changed_at,
        )
        review.full_clean()
        uncited = uncited_claims(TreatmentPage.objects.with_content().get(pk=locked.pk))
        if uncited and not claims_signed_off:
            raise ValidationError(
                _(
                    "This page cannot be marked reviewed yet: the claims check lists %(claims)s without a source. "
                    "Cite a source for each, reword them, or have the reviewing clinician sign them off."
                )
                % {"claims": "; ".join(str(claim) for claim in uncited)}
            )
        review.signed_off_claims = "\n".join(str(claim) for claim in uncited) if claims_signed_off else ""
        review.save()
        if claims_signed_off:  # each sentence claiming safety or results, signed off in their name
            for claim in uncited:
                if claim.strong:
                    ClaimSignOff.objects.get_or_create(
                        page=locked, sentence=claim.excerpt, defaults={"signed_by": user}
                    )
        TreatmentPage.objects.filter(pk=locked.pk).update(reviewed_words_at=locked.words_changed_at)
    return review
