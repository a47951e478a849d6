"""A picture on a treatment or a page, with its alternative text and WebP renditions (the
upload's checks and the files' names: treatments/images.py)."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image

from ..images import RENDITION_WIDTHS, PictureField, delete_picture, rendition_name


class Illustrated(models.Model):
    """A picture with its alternative text, and its WebP renditions."""

    image = PictureField(
        _("picture"), upload_to="pictures/", blank=True, width_field="image_width", height_field="image_height"
    )
    image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    image_alt = models.CharField(
        _("picture description (alt text)"),
        max_length=250,
        blank=True,
        help_text=_("What the picture shows, for patients who cannot see it."),
    )
    image_is_decorative = models.BooleanField(
        _("the picture is decorative"),
        default=False,
        help_text=_("Tick only if the picture adds nothing to the text: screen readers then skip it."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        previous = type(self).objects.filter(pk=self.pk).values_list("image", flat=True).first() if self.pk else None
        super().save(*args, **kwargs)
        if (previous or "") != (self.image.name or ""):
            if previous:  # replaced or cleared: the old picture leaves the site, every copy of it
                transaction.on_commit(lambda: self._forget_picture(previous))
            if self.image:
                self.make_renditions()

    def delete(self, *args, **kwargs):
        name = self.image.name
        result = super().delete(*args, **kwargs)
        if name:
            transaction.on_commit(lambda: self._forget_picture(name))
        return result

    def _forget_picture(self, name: str) -> None:
        """Deletes a picture nothing shows any more: a page and its draft may share one file, so
        it stays while any row still names it (the draft's picture goes when the page stops
        using it, after the publish)."""
        if not type(self).objects.filter(image=name).exists():
            delete_picture(self._meta.get_field("image").storage, name)

    def clean(self):
        super().clean()
        if self.image and not self.image_alt.strip() and not self.image_is_decorative:
            raise ValidationError(
                {"image_alt": _("Describe the picture for patients who cannot see it, or mark it as decorative.")}
            )

    def rendition_widths(self) -> list[int]:
        original = self.image_width or 0
        return sorted(
            {width for width in RENDITION_WIDTHS if width < original} | {min(original, RENDITION_WIDTHS[-1])}
        )

    def make_renditions(self) -> int:
        """Makes the renditions this picture lacks; returns how many it made. Several servers may
        be asked at the same instant (each one's `make serve` makes those missing after a restore
        or a new width): the picture's row is locked while they are made, so the second finds
        them there and makes none. A rendition's name is its picture's, which names its bytes."""
        storage = self._meta.get_field("image").storage
        with transaction.atomic():
            type(self).objects.select_for_update().filter(pk=self.pk).exists()
            missing = [width for width in self.rendition_widths()
                       if not storage.exists(rendition_name(self.image.name, width))]  # fmt: skip
            if not missing:
                return 0
            with self.image.open("rb") as file, Image.open(file) as picture:
                picture.load()
                for width in missing:
                    height = round(picture.height * width / picture.width)
                    out = io.BytesIO()
                    picture.resize((width, height), Image.Resampling.LANCZOS).save(out, "WEBP", quality=80)
                    storage.save(rendition_name(self.image.name, width), ContentFile(out.getvalue()))
        return len(missing)

    def renditions(self) -> list[tuple[str, int]]:
        """(URL, width) of each WebP rendition, narrowest first."""
        storage = self._meta.get_field("image").storage
        return [(storage.url(rendition_name(self.image.name, width)), width) for width in self.rendition_widths()]
