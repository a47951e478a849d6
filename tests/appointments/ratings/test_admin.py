import uuid

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from appointments.models import PageComment, RatedPage
from appointments.ratings.services import page_comment_create, page_rating_submit
from conftest import sign_in
from tests.treatments.factories import make_page
from treatments.models import Treatment, TreatmentPage

pytestmark = pytest.mark.django_db

PAGES = reverse("admin:appointments_ratedpage_changelist")
COMMENTS = reverse("admin:appointments_pagecomment_changelist")


@pytest.fixture
def rated(content):
    """FAQ rated 5, 4, 4 (one comment); side effects rated 2."""
    faq = TreatmentPage.objects.get(slug="faq")
    safety = TreatmentPage.objects.get(slug="side-effects-and-safety")
    visitors = [uuid.uuid4() for _ in range(3)]
    for visitor, stars in zip(visitors, [5, 4, 4], strict=True):
        page_rating_submit(page=faq, visitor=visitor, stars=stars)
    page_comment_create(page=faq, visitor=visitors[0], text="Clear, thanks.")
    other = uuid.uuid4()
    page_rating_submit(page=safety, visitor=other, stars=2)
    page_comment_create(page=safety, visitor=other, text="Buy cheap watches at spam.example")
    return faq, safety


def test_rated_pages_show_average_count_and_distribution(admin_client, rated):
    response = admin_client.get(PAGES)
    html = response.content.decode()
    assert [str(row) for row in response.context["cl"].result_list] == [
        "Mesotherapy: questions and answers",
        "Mesotherapy: side effects and safety",
    ]
    assert "4.3" in html
    assert "0 / 0 / 0 / 2 / 1" in html
    assert "0 / 1 / 0 / 0 / 0" in html


def test_rated_pages_filter_by_treatment_once_several_are_rated(admin_client, rated):
    other = Treatment.objects.create(name="Other treatment", slug="other", summary="For tests.")
    other_page = make_page(other, title="Other")
    page_rating_submit(page=other_page, visitor=uuid.uuid4(), stars=1)
    response = admin_client.get(PAGES)
    offered = [str(label) for spec in response.context["cl"].filter_specs for _, label in spec.lookup_choices]
    assert sorted(offered) == ["Mesotherapy", "Other treatment"]
    only_other = admin_client.get(PAGES, {"page__treatment__id__exact": other.pk}).context["cl"].result_list
    assert [str(row) for row in only_other] == ["Other treatment: Other"]


@pytest.mark.parametrize(("order", "first"), [("2", "side effects"), ("-2", "questions"), ("3", "side effects")])
def test_rated_pages_sort_by_average_and_count(admin_client, rated, order, first):
    rows = admin_client.get(PAGES, {"o": order}).context["cl"].result_list
    assert first in str(rows[0])


def test_comments_list_with_page_and_date_and_filter_by_page(admin_client, rated):
    faq, _ = rated
    response = admin_client.get(COMMENTS)
    assert len(response.context["cl"].result_list) == 2
    summary = RatedPage.objects.get(page=faq)
    filtered = admin_client.get(COMMENTS, {"rated_page__id__exact": summary.pk}).context["cl"].result_list
    assert [comment.text for comment in filtered] == ["Clear, thanks."]
    assert "By sent" in response.content.decode()


def test_staff_delete_an_abusive_comment_but_cannot_edit_one(admin_client, rated):
    spam = PageComment.objects.get(text__startswith="Buy")
    assert (
        admin_client.get(reverse("admin:appointments_pagecomment_change", args=[spam.pk])).context[
            "has_change_permission"
        ]
        is False
    )
    response = admin_client.post(reverse("admin:appointments_pagecomment_delete", args=[spam.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(PageComment.objects.values_list("text", flat=True)) == ["Clear, thanks."]
    assert RatedPage.objects.count() == 2  # deleting a comment keeps the page's votes


def test_front_desk_reads_ratings_and_removes_comments(client, rated):
    user = User.objects.create_user("desk", password="a-long-front-desk-password", is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    sign_in(client, user)
    assert client.get(PAGES).status_code == 200
    spam = PageComment.objects.get(text__startswith="Buy")
    assert (
        client.post(reverse("admin:appointments_pagecomment_delete", args=[spam.pk]), {"post": "yes"}).status_code
        == 302
    )
    summary = RatedPage.objects.first()
    assert client.get(reverse("admin:appointments_ratedpage_delete", args=[summary.pk])).status_code == 403
