"""Addresses that last: when an editor changes a treatment's or a page's address name (slug),
the old one is kept (FormerSlug), and a link or bookmark to it is sent on with a permanent
redirect (301) to where the page is now, however many times it has moved since. The sitemap and
every link on the site use the current address only."""

from django.db.models.signals import post_save, pre_save

from .models import FormerSlug, Treatment, TreatmentPage


def _remember_old_slug(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None or getattr(instance, "draft_of_id", None):  # a draft has no address
        return
    old = sender.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
    instance._former_slug = old if old is not None and old != instance.slug else None


def _keep_former_slug(sender, instance, raw=False, **kwargs):
    old = getattr(instance, "_former_slug", None)
    if raw or old is None:
        return
    instance._former_slug = None
    if sender._meta.model_name == "treatment":
        FormerSlug.objects.filter(page__isnull=True, slug=old).delete()  # moved twice: the latest owner
        FormerSlug.objects.create(treatment=instance, page=None, slug=old)
    elif old:  # a page's own slug; the treatment's first page has none
        FormerSlug.objects.get_or_create(treatment_id=instance.treatment_id, page=instance, slug=old)


def connect() -> None:
    for model in (Treatment, TreatmentPage):
        pre_save.connect(_remember_old_slug, sender=model, dispatch_uid=f"slug:{model._meta.label}:pre")
        post_save.connect(_keep_former_slug, sender=model, dispatch_uid=f"slug:{model._meta.label}:post")


def current_address(treatment_slug: str, page_slug: str, language: str) -> str | None:
    """Where a page in this language that used to be at this address is now (published), or None."""
    treatment = Treatment.objects.published().filter(slug=treatment_slug, language=language).first()
    if treatment is None:
        former = (
            FormerSlug.objects.filter(page__isnull=True, slug=treatment_slug, treatment__language=language)
            .select_related("treatment")
            .first()
        )
        treatment = former.treatment if former and former.treatment.is_published else None
    if treatment is None:
        return None
    pages = TreatmentPage.objects.published().filter(treatment=treatment)
    page = pages.filter(slug=page_slug).first()
    if page is None and page_slug:
        page = pages.filter(former_slugs__slug=page_slug).order_by("-former_slugs__replaced_at").first()
    return page.get_absolute_url() if page is not None else None
