"""Share cards (the picture a link preview shows) and the printed handout's QR code.

A card is 1200 x 630 PNG drawn with Pillow from the page's title and the clinic's name, in the
site's colours, with the font that ships inside Pillow (nothing is downloaded or installed).
Its address carries the title, signed so that nobody else can have the site draw their words:
when staff change a title the page names a new card, which is drawn on its first request and
then kept like any public page (the page cache, and nginx's cache in front).
"""

import io

import segno
from django.core import signing
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw, ImageFont

from .context_processors import clinic_for_pages

CARD_SIZE = (1200, 630)
BRAND, BRAND_DARK, PAPER, ACCENT = "#0b5e69", "#073f47", "#ffffff", "#ffdd00"
CARD_SALT = "treatments.share-card"
CARD_MAX_AGE = 60 * 60 * 24 * 365  # the address changes with the title, so the picture never does


def card_url(title: str) -> str:
    """The address of the card for a page with this title."""
    # Signer, not signing.dumps: no timestamp, so a title always names the same card.
    return reverse("share_card", args=[signing.Signer(salt=CARD_SALT).sign_object(title, compress=True)])


def wrap(text: str, font, width: int) -> list[str]:
    """The words of `text` in lines no wider than `width` pixels in `font`."""
    lines = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def draw_card(title: str, clinic_name: str) -> bytes:
    image = Image.new("RGB", CARD_SIZE, BRAND)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, CARD_SIZE[1] - 120, CARD_SIZE[0], CARD_SIZE[1]], fill=BRAND_DARK)
    draw.rectangle([80, 96, 200, 108], fill=ACCENT)
    for size in [76, 60, 48, 40]:  # a long title gets smaller type, never cut
        font = ImageFont.load_default(size=size)
        lines = wrap(title, font, CARD_SIZE[0] - 160)
        if len(lines) <= 4:
            break
    y = 150
    for line in lines:
        draw.text((80, y), line, font=font, fill=PAPER)
        y += int(size * 1.25)
    draw.text((80, CARD_SIZE[1] - 88), clinic_name, font=ImageFont.load_default(size=44), fill=PAPER)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


@require_GET
def share_card(request, signed_title):
    try:
        title = signing.Signer(salt=CARD_SALT).unsign_object(signed_title)
    except signing.BadSignature:
        raise Http404("No such card") from None
    clinic = clinic_for_pages()
    response = HttpResponse(draw_card(str(title), clinic.name if clinic else ""), content_type="image/png")
    response["Cache-Control"] = f"public, max-age={CARD_MAX_AGE}, immutable"
    return response


def qr_svg(url: str) -> str:
    """The page's address as a QR code in SVG (paths only: nothing the CSP would refuse)."""
    code = segno.make(url, error="m")
    return code.svg_inline(dark="#000", omitsize=True, title=_("QR code for this page's address"))
