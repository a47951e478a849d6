"""Page ratings: which pages may be rated, and the operations that record votes and comments."""

import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .models import PageComment, PageRating, RatedPage


class NotRateable(Exception):
    """The reference names no page that may be rated."""


def page_reference(page: models.Model) -> str:
    """How a rating form names its page, e.g. "treatments.treatmentpage:3"."""
    return f"{page._meta.label_lower}:{page.pk}"


def rateable_page(reference: str) -> models.Model:
    """The page a form's reference names, if it is of a rateable model and visible to patients."""
    label, _, pk = str(reference).partition(":")
    if label not in settings.RATEABLE_MODELS or not pk.isdigit() or len(pk) > 18:
        raise NotRateable(reference)
    model = apps.get_model(label)
    queryset = model._default_manager.all()
    if hasattr(queryset, "published"):  # drafts cannot be rated
        queryset = queryset.published()
    page = queryset.filter(pk=int(pk)).first()
    if page is None:
        raise NotRateable(reference)
    return page


# Without JavaScript a rating or comment comes back to its page, which then thanks the visitor.
# That page is theirs alone, so these are the one place that knows how its address is marked.


def after_rating_url(page: models.Model, stars: int) -> str:
    return f"{page.get_absolute_url()}?rated={stars}#rating"


def after_comment_url(page: models.Model) -> str:
    return f"{page.get_absolute_url()}?commented=1#rating"


def just_rated(request) -> int | None:
    """The stars this visitor has just given, when the page is where a rating came back to."""
    stars = request.GET.get("rated", "")
    return int(stars) if stars in {"1", "2", "3", "4", "5"} else None


def just_commented(request) -> bool:
    return request.GET.get("commented") == "1"


def thanks_the_visitor(request) -> bool:
    """Whether the page shows this visitor's thanks, which no cache may keep for anyone else."""
    return just_rated(request) is not None or just_commented(request)


def rated_page_for(page: models.Model) -> RatedPage | None:
    """The page's rating summary, or None before its first vote (one query)."""
    content_type = ContentType.objects.get_for_model(page)  # cached after the first call
    return RatedPage.objects.filter(content_type=content_type, object_id=page.pk).first()


def _summary_row(page: models.Model) -> RatedPage:
    content_type = ContentType.objects.get_for_model(page)
    summary, _ = RatedPage.objects.get_or_create(content_type=content_type, object_id=page.pk)
    return summary


@transaction.atomic
def page_rating_submit(*, page: models.Model, visitor: uuid.UUID, stars: int) -> tuple[RatedPage, PageRating]:
    """Records a visitor's vote (1-5): the first adds one, a second replaces the first.

    The summary row is locked for the length of the vote, so votes on one page are applied one at
    a time and the count and total stay exact however many arrive at once.
    """
    if stars not in range(1, 6):
        raise ValueError("stars must be from 1 to 5")
    summary_id = _summary_row(page).pk
    summary = RatedPage.objects.select_for_update().get(pk=summary_id)
    rating = PageRating.objects.filter(rated_page=summary, visitor=visitor).first()
    new_field = RatedPage.STAR_FIELDS[stars - 1]
    if rating is None:
        try:
            with transaction.atomic():
                rating = PageRating.objects.create(rated_page=summary, visitor=visitor, stars=stars)
        except IntegrityError:  # on databases without row locks, a twin request won the race
            rating = PageRating.objects.get(rated_page=summary, visitor=visitor)
        else:
            RatedPage.objects.filter(pk=summary.pk).update(
                count=F("count") + 1, total=F("total") + stars, **{new_field: F(new_field) + 1}
            )
            summary.refresh_from_db()
            return summary, rating
    if rating.stars != stars:
        old_field = RatedPage.STAR_FIELDS[rating.stars - 1]
        RatedPage.objects.filter(pk=summary.pk).update(
            total=F("total") + stars - rating.stars, **{old_field: F(old_field) - 1, new_field: F(new_field) + 1}
        )
        rating.stars = stars
        rating.updated_at = timezone.now()
        rating.save(update_fields=["stars", "updated_at"])
    summary.refresh_from_db()
    return summary, rating


def page_comment_create(*, page: models.Model, visitor: uuid.UUID, text: str) -> PageComment | None:
    """Stores a comment from a visitor who has rated the page; None if they have not."""
    rating = (
        PageRating.objects.select_related("rated_page")
        .filter(
            rated_page__content_type=ContentType.objects.get_for_model(page),
            rated_page__object_id=page.pk,
            visitor=visitor,
        )
        .first()
    )
    if rating is None:
        return None
    return PageComment.objects.create(rated_page=rating.rated_page, stars=rating.stars, text=text)
