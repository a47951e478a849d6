"""Pictures staff add to a treatment and its pages (Pillow).

Every upload is opened and checked before anything is stored: a real JPEG, PNG or WebP, no larger
than IMAGE_MAX_BYTES and IMAGE_MAX_PIXELS (a decompression bomb is refused with a message, never
decoded). What is stored is re-encoded from the pixels alone, with the camera's orientation
applied, so no EXIF or GPS data survives, under a name that ends in a digest of its bytes: a
picture's address never shows other pixels, so browsers and proxies may keep it for a year. On
save, WebP renditions are made once at the widths in RENDITION_WIDTHS (never wider than the
original) and leave with the picture; pages show them with `srcset`, explicit width and height,
and lazy loading below the fold.

Where the pictures live (this server's disk, or an object store shared by several servers) is
the default storage's business (mesoclinic/settings/storage.py). A store that does not answer
is a clear error on the picture's field, and the form is not saved.

A picture needs alternative text, or staff must say it is decorative (then `alt=""`).
"""

import hashlib
import io
import re
import warnings
from pathlib import PurePosixPath

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

from sitewide.storage import store_answers

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
RENDITION_WIDTHS = [480, 960, 1440]
TOO_MANY_PIXELS = _(
    "This picture is %(width)s x %(height)s pixels, more than the site accepts. Please make it smaller."
)
TOO_LARGE_TO_OPEN = _("This picture is far too large to open safely. Please make it smaller.")
UNREADABLE = _("This file is not a picture we can read. Please upload a JPEG, PNG or WebP.")
STORE_DOWN = _(
    "The picture store cannot be reached just now, so nothing was saved. "
    "Please try again in a few minutes; if it goes on, tell whoever runs the site's servers."
)


def cleaned_upload(upload) -> SimpleUploadedFile:
    """The upload re-encoded without metadata and upright, or ValidationError saying what is wrong."""
    if upload.size > settings.IMAGE_MAX_BYTES:
        limit = filesizeformat(settings.IMAGE_MAX_BYTES)
        raise ValidationError(_("This file is too large: pictures may be up to %(limit)s.") % {"limit": limit})
    upload.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            picture = Image.open(upload)
            kind = picture.format
            width, height = picture.size
            if kind not in FORMATS:
                raise ValidationError(_("Please upload a JPEG, PNG or WebP picture."))
            if width * height > settings.IMAGE_MAX_PIXELS:
                raise ValidationError(TOO_MANY_PIXELS % {"width": width, "height": height})
            picture.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ValidationError(TOO_LARGE_TO_OPEN) from None
        except (OSError, SyntaxError, ValueError, Image.UnidentifiedImageError):
            raise ValidationError(UNREADABLE) from None
    upright = ImageOps.exif_transpose(picture)
    if kind == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    out = io.BytesIO()
    upright.save(out, kind, **({"quality": 90} if kind in ("JPEG", "WEBP") else {}))  # no exif= given: none kept
    content = out.getvalue()
    digest = hashlib.sha256(content).hexdigest()[:16]
    name = f"{PurePosixPath(upload.name).stem[:80] or 'picture'}-{digest}.{FORMATS[kind]}"
    return SimpleUploadedFile(name, content, content_type=Image.MIME[kind])


class PictureInput(forms.ClearableFileInput):
    """The admin's file box, with the current picture shown small beside its name."""

    template_name = "treatments/widgets/picture_input.html"  # in the app: form widgets are drawn from apps


class PictureFormField(forms.ImageField):
    widget = PictureInput

    def __init__(self, *args, storage=None, **kwargs):
        self.storage = storage
        super().__init__(*args, **kwargs)

    def to_python(self, data):
        if data in self.empty_values:
            return None
        return super().to_python(cleaned_upload(data))

    def clean(self, data, initial=None):
        cleaned = super().clean(data, initial)
        if cleaned not in (None, False, initial) and self.storage is not None and not store_answers(self.storage):
            raise ValidationError(STORE_DOWN)
        return cleaned


class PictureField(models.ImageField):
    def formfield(self, **kwargs):
        kwargs["widget"] = PictureInput  # in place of the admin's own file box
        return super().formfield(**{**kwargs, "form_class": PictureFormField, "storage": self.storage})


def delete_picture(storage, image_name: str) -> None:
    """The original and each of its renditions, whatever widths they were made at."""
    storage.delete(image_name)
    folder = PurePosixPath(image_name).parent / "renditions"
    own = re.compile(rf"{re.escape(PurePosixPath(image_name).stem)}-\d+\.webp")
    try:
        _folders, files = storage.listdir(str(folder))
    except FileNotFoundError:
        return
    for file in files:
        if own.fullmatch(file):
            storage.delete(str(folder / file))


def rendition_name(image_name: str, width: int) -> str:
    path = PurePosixPath(image_name)
    return str(path.parent / "renditions" / f"{path.stem}-{width}.webp")
