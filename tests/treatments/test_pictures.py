"""Pictures staff add in the admin: every upload checked with Pillow, metadata removed, upright,
WebP renditions made once and replaced, and shown with srcset, width, height and alt text."""

import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from tests.admin_forms import admin_change_form_data
from treatments.images import rendition_name
from treatments.models import TreatmentPage

pytestmark = pytest.mark.django_db

FAQ = "/treatments/mesotherapy/faq/"


def picture_bytes(kind="JPEG", size=(1600, 900), exif=True, mode="RGB"):
    picture = Image.new(mode, size, "#0b5e69")
    picture.paste((255, 221, 0) if mode == "RGB" else 1, (0, 0, size[0] // 4, size[1] // 2))
    out = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x0112] = 6  # Orientation: the camera was turned; the picture must be turned upright
        tags[0x010F] = "PhoneMaker"
        tags[0x8825] = {2: (40.0, 45.0, 10.0), 1: "N"}  # GPS: where the photo was taken
        options["exif"] = tags
    picture.save(out, kind, **options)
    return out.getvalue()


def upload(admin_client, page, content, name="photo.jpg", **fields):
    url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
    data = admin_change_form_data(admin_client.get(url))
    data.update({"image_alt": "A nurse explains the treatment to a patient.", **fields})
    data["image"] = SimpleUploadedFile(name, content)
    return admin_client.post(url, data)


def form_errors(response) -> str:
    return " ".join(str(error) for error in response.context["adminform"].form.errors.values())


def test_a_good_photo_is_stored_upright_without_exif_or_gps(admin_client, content):
    page = TreatmentPage.objects.get(slug="faq")
    assert upload(admin_client, page, picture_bytes()).status_code == 302
    page.refresh_from_db()
    with page.image.open("rb") as file, Image.open(file) as stored:
        assert stored.size == (900, 1600)  # turned as the camera meant
        assert not stored.getexif()  # no orientation, maker or GPS left
        assert "exif" not in stored.info
    assert (page.image_width, page.image_height) == (900, 1600)


def test_renditions_are_webp_at_each_width_and_shown_with_srcset(admin_client, content, client):
    page = TreatmentPage.objects.get(slug="faq")
    upload(admin_client, page, picture_bytes(exif=False, size=(1200, 800)))
    page.refresh_from_db()
    storage = page.image.storage
    for width in [480, 960, 1200]:
        with storage.open(rendition_name(page.image.name, width)) as file, Image.open(file) as rendition:
            assert (rendition.format, rendition.width) == ("WEBP", width)
    assert not storage.exists(rendition_name(page.image.name, 1440))  # never wider than the original
    img = BeautifulSoup(client.get(FAQ).content, "html.parser").select_one("img.picture")
    assert img["alt"] == "A nurse explains the treatment to a patient."
    assert (img["width"], img["height"]) == ("1200", "800")
    assert img["loading"] == "lazy"
    assert [entry.split()[1] for entry in img["srcset"].split(", ")] == ["480w", "960w", "1200w"]
    assert img["src"] == storage.url(rendition_name(page.image.name, 1200))


def test_a_replaced_or_cleared_picture_leaves_the_site_with_every_copy(
    admin_client, content, client, django_capture_on_commit_callbacks
):
    page = TreatmentPage.objects.get(slug="faq")
    upload(admin_client, page, picture_bytes(exif=False, size=(1000, 700)))
    page.refresh_from_db()
    first = [page.image.name, *(rendition_name(page.image.name, width) for width in [480, 960, 1000])]
    storage = page.image.storage
    assert all(storage.exists(name) for name in first)
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the save has committed
        upload(admin_client, page, picture_bytes(kind="PNG", exif=False), name="second.png")
    page.refresh_from_db()
    assert [name for name in first if storage.exists(name)] == []  # the 1000 px copy too
    second = [page.image.name, rendition_name(page.image.name, 480)]
    assert all(storage.exists(name) for name in second)

    url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
    data = admin_change_form_data(admin_client.get(url))
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, {**data, "image-clear": "on"}).status_code == 302
    assert [name for name in second if storage.exists(name)] == []
    assert "img" not in str(BeautifulSoup(client.get(FAQ).content, "html.parser").select("img.picture"))


def test_the_admin_shows_the_picture_small_beside_its_name(admin_client, content):
    page = TreatmentPage.objects.get(slug="faq")
    upload(admin_client, page, picture_bytes(exif=False))
    page.refresh_from_db()
    html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content
    thumbnail = BeautifulSoup(html, "html.parser").select_one("img.picture-input__thumbnail")
    assert thumbnail["src"] == page.image.url


def test_a_body_larger_than_the_site_accepts_is_refused_before_it_is_read(admin_client, content, settings):
    page = TreatmentPage.objects.get(slug="faq")
    url = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
    declared = settings.UPLOAD_MAX_BYTES + 1
    response = admin_client.post(url, {"title": "x"}, CONTENT_LENGTH=str(declared))
    assert response.status_code == 413
    assert "too large to send" in response.content.decode()


def test_nginx_accepts_the_same_largest_body_as_the_site(settings):
    import re
    from pathlib import Path

    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    (megabytes,) = re.findall(r"client_max_body_size (\d+)m;", nginx)
    assert int(megabytes) * 1024 * 1024 == settings.UPLOAD_MAX_BYTES


@pytest.mark.parametrize(
    ("content_bytes", "name", "message"),
    [
        (b"%PDF-1.4 not a picture", "leaflet.jpg", "not a picture we can read"),
        (picture_bytes(kind="GIF", exif=False, mode="P"), "moving.gif", "JPEG, PNG or WebP"),
        (picture_bytes(kind="PNG", exif=False, size=(8000, 6000), mode="1"), "huge.png", "more than the site accepts"),
        (picture_bytes(kind="PNG", exif=False, size=(12000, 12000), mode="1"), "bomb.png", "far too large"),
    ],
    ids=["not-an-image", "gif", "too-many-pixels", "decompression-bomb"],
)
def test_bad_files_get_a_clear_message_and_nothing_is_stored(admin_client, content, content_bytes, name, message):
    page = TreatmentPage.objects.get(slug="faq")
    response = upload(admin_client, page, content_bytes, name=name)
    assert response.status_code == 200
    assert message in form_errors(response)
    page.refresh_from_db()
    assert not page.image


def test_a_file_over_the_size_limit_is_refused(admin_client, content, settings):
    settings.IMAGE_MAX_BYTES = 10_000
    response = upload(
        admin_client, TreatmentPage.objects.get(slug="faq"), picture_bytes(size=(400, 400)) + b"\0" * 20_000
    )
    assert "too large: pictures may be up to" in form_errors(response)


def test_a_picture_needs_alt_text_or_must_be_marked_decorative(admin_client, content, client):
    page = TreatmentPage.objects.get(slug="faq")
    response = upload(admin_client, page, picture_bytes(exif=False), image_alt="")
    assert "Describe the picture" in form_errors(response)
    assert (
        upload(admin_client, page, picture_bytes(exif=False), image_alt="", image_is_decorative="on").status_code
        == 302
    )
    img = BeautifulSoup(client.get(FAQ).content, "html.parser").select_one("img.picture")
    assert img["alt"] == ""


def test_a_pages_picture_follows_its_text_so_the_words_come_first(admin_client, content, client):
    upload(admin_client, TreatmentPage.objects.get(slug="faq"), picture_bytes(exif=False))
    html = client.get(FAQ).content.decode()
    assert html.index('class="picture"') > html.rindex("Does it hurt?")  # after the last answer


def test_make_renditions_passes_over_a_lost_original_and_makes_the_others(admin_client, content):
    """After a restore that lacks one picture, say: every other picture still gets its renditions."""
    faq, safety = TreatmentPage.objects.get(slug="faq"), TreatmentPage.objects.get(slug="side-effects-and-safety")
    for page in (faq, safety):
        upload(admin_client, page, picture_bytes(exif=False, size=(1000, 700)))
        page.refresh_from_db()
    storage = faq.image.storage
    lost = faq if faq.pk < safety.pk else safety  # the first one the command comes to
    kept = safety if lost is faq else faq
    for page in (faq, safety):
        for width in [480, 960, 1000]:
            storage.delete(rendition_name(page.image.name, width))
    storage.delete(lost.image.name)
    out, err = io.StringIO(), io.StringIO()
    call_command("make_renditions", stdout=out, stderr=err)
    assert all(storage.exists(rendition_name(kept.image.name, width)) for width in [480, 960, 1000])
    assert f"No original for treatment page {lost.pk}: {lost.image.name}" in err.getvalue()
    assert "Made 3 renditions. Pictures with no original: 1." in out.getvalue()
