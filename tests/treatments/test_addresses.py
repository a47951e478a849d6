"""Addresses that last: a changed slug keeps a 301 from every old address to the current one."""

import pytest

from treatments.models import Treatment, TreatmentPage

pytestmark = pytest.mark.django_db


def rename(model, old, new, **filters):
    thing = model.objects.get(slug=old, **filters)
    thing.slug = new
    thing.save()


def test_every_old_address_of_a_page_leads_to_where_it_is_now(client, content):
    rename(TreatmentPage, "faq", "questions")
    rename(TreatmentPage, "questions", "questions-and-answers")
    for old in ["/treatments/mesotherapy/faq/", "/treatments/mesotherapy/questions/"]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/treatments/mesotherapy/questions-and-answers/")
    assert client.get("/treatments/mesotherapy/questions-and-answers/").status_code == 200
    sitemap = client.get("/sitemap.xml").content.decode()
    assert "/questions-and-answers/" in sitemap
    assert "/faq/" not in sitemap
    assert "/questions/<" not in sitemap


def test_a_renamed_treatment_takes_its_pages_old_addresses_with_it(client, content):
    rename(Treatment, "mesotherapy", "mesotherapy-injections")
    rename(TreatmentPage, "faq", "questions", treatment__slug="mesotherapy-injections")
    assert client.get("/treatments/mesotherapy/")["Location"] == "/treatments/mesotherapy-injections/"
    assert client.get("/treatments/mesotherapy/faq/")["Location"] == "/treatments/mesotherapy-injections/questions/"
    assert client.get("/treatments/mesotherapy/side-effects-and-safety/").status_code == 301


def test_an_address_that_never_was_is_still_not_found(client, content):
    rename(TreatmentPage, "faq", "questions")
    assert client.get("/treatments/mesotherapy/never-was/").status_code == 404
    assert client.get("/treatments/nothing-here/faq/").status_code == 404


def test_a_new_page_may_take_a_freed_address(client, content):
    rename(TreatmentPage, "faq", "questions")
    rename(TreatmentPage, "side-effects-and-safety", "faq")  # an editor reuses the old name
    response = client.get("/treatments/mesotherapy/faq/")
    assert response.status_code == 200
    assert "side effects" in response.content.decode().lower()
