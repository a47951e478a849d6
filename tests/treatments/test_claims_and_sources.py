"""Pages a clinic can stand behind: every claim phrase cites a source or a clinician signed it off,
each page lists its sources, the FDA's warning is where a patient decides, and "Last updated" is
when the words last changed."""

import datetime
import json

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from treatments.claims import CLAIM_PHRASES, find_claims, page_claims, uncited_claims
from treatments.models import FAQEntry, PageReview, PreventionStep, Section, Source, TreatmentPage

from .factories import make_reviewer, record_review

pytestmark = pytest.mark.django_db

PAGES = [
    "/treatments/mesotherapy/",
    "/treatments/mesotherapy/faq/",
    "/treatments/mesotherapy/preventing-wrinkles/",
    "/treatments/mesotherapy/side-effects-and-safety/",
]
OVERVIEW, FAQ, PREVENTION, SAFETY = PAGES


def text_of(client, url, selector="main", separator=" "):
    element = BeautifulSoup(client.get(url).content, "html.parser").select_one(selector)
    return " ".join(element.get_text(separator).split())


def long_ago(days=300):
    return timezone.now() - datetime.timedelta(days=days)


# The claims check


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("The procedure is very safe.", ["very safe"]),  # once, not also as "safe"
        ("Results are dramatic and permanent.", ["dramatic", "permanent"]),
        ("Lose about ten pounds and one to two clothing sizes.", ["weight lost", "sizes lost"]),
        ("It contains FDA approved medicines.", ["FDA-approved"]),
        ("There is no downtime; it is painless and guaranteed.", ["no downtime", "painless", "guaranteed"]),
        ("A proven, revolutionary cure.", ["proven", "revolutionary", "cure"]),
        ("Patients described mild discomfort.", []),
        ("Safety is unknown.", []),
    ],
)
def test_the_claims_check_finds_the_phrases_health_advertising_rules_name(text, found):
    assert [label for label, _words, _sentence in find_claims(text)] == found


def test_the_list_of_claim_phrases_lives_in_one_place_and_is_documented(settings):
    documented = (settings.BASE_DIR / "docs" / "editing.md").read_text()
    assert "treatments/claims.py" in documented
    for label, _pattern in CLAIM_PHRASES:
        assert f"`{label}`" in documented


SHIPPED_PAGES = [
    *(("en", slug) for slug in ["", "faq", "preventing-wrinkles", "side-effects-and-safety"]),
    *(
        ("es", slug)
        for slug in ["", "preguntas-frecuentes", "prevenir-las-arrugas", "efectos-secundarios-y-seguridad"]
    ),
]


@pytest.mark.parametrize(("language", "slug"), SHIPPED_PAGES)
def test_every_claim_on_the_shipped_pages_cites_a_source(content, language, slug):
    page = TreatmentPage.objects.with_content().get(treatment__language=language, slug=slug)
    assert page_claims(page)  # every shipped page has claim phrases: the check has something to check
    assert [str(claim) for claim in uncited_claims(page)] == []


def test_no_published_reviewed_page_shows_an_uncited_claim_that_no_clinician_signed_off(content):
    """The invariant, over whatever the database holds: record a review of every shipped page the
    way the admin does (full_clean), then check every reviewed, published page."""
    reviewer = make_reviewer()
    for page in TreatmentPage.objects.all():
        review = PageReview(page=page, reviewer=reviewer, reviewed_on=timezone.localdate())
        review.full_clean()
        review.save()
    for page in TreatmentPage.objects.published().with_content():
        if page.latest_review is not None and not page.latest_review.claims_signed_off:
            assert uncited_claims(page) == [], page


@pytest.fixture
def results_answer(content):
    """The FAQ's "What results can I expect?" with its sources taken away: its claims are uncited."""
    answer = FAQEntry.objects.get(page__treatment__language="en", anchor="results")
    answer.sources.clear()
    return answer


def review_through_the_admin(admin_client, page, **extra):
    """The reviewing clinician, signed in as themselves, records their review of `page`."""
    from django.contrib.auth.models import Group
    from django.test import Client

    from conftest import sign_in

    reviewer = make_reviewer(username="drstone", first_name="Ada", last_name="Stone", role="MD")
    reviewer.user.groups.add(Group.objects.get(name="Clinical reviewers"))
    client = sign_in(Client(), reviewer.user)
    url = reverse("admin:treatments_treatmentpage_review", args=[page.pk])
    assert client.get(url).status_code == 200
    return client.post(url, {"notes": "", **extra})


def test_a_page_with_an_uncited_claim_cannot_be_marked_reviewed(admin_client, results_answer):
    response = review_through_the_admin(admin_client, results_answer.page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This page cannot be marked reviewed yet" in html
    assert "“dramatic” (What results can I expect?)" in html
    assert PageReview.objects.count() == 0


def test_the_reviewing_clinician_can_sign_off_an_uncited_claim_and_it_is_recorded(admin_client, results_answer):
    response = review_through_the_admin(admin_client, results_answer.page, claims_signed_off="on")
    assert response.status_code == 302
    review = PageReview.objects.get()
    assert review.claims_signed_off
    assert "“dramatic” (What results can I expect?)" in review.signed_off_claims


def test_the_claims_check_is_shown_to_editors_with_where_each_phrase_is(admin_client, results_answer):
    url = reverse("admin:treatments_treatmentpage_change", args=[results_answer.page.pk])
    html = admin_client.get(url).content.decode()
    assert "claims check" in html.lower()
    assert "“dramatic” <em>(What results can I expect?)</em>: <strong>no source</strong>" in html
    assert "“very safe” <em>(What are the side effects?)</em>: cites" in html


# Sources shown to patients


@pytest.mark.parametrize("url", PAGES)
def test_every_treatment_page_lists_its_sources(client, content, url):
    sources = BeautifulSoup(client.get(url).content, "html.parser").select_one("#sources")
    assert sources.find("h2").get_text() == "Sources"
    assert sources.select("ol li")
    text = " ".join(sources.get_text(" ").split())
    assert "Checked by our staff" not in text  # nobody has checked the shipped sources yet: nothing claimed


def test_sources_show_title_publisher_and_the_date_as_precisely_as_the_source_gives_it(client, content):
    text = text_of(client, OVERVIEW, "#sources", separator="")
    assert "Mesotherapy. Patients Medical PC (this clinic's own earlier page), 26 August 2015." in text
    assert "What is Mesotherapy? Another clinic's patient page" in text  # no full stop after its question mark
    assert "Another clinic's patient page (the clinic is not named), no date." in text
    assert "FDA Warns About Lipodissolve Product Claims. U.S. Food and Drug Administration (FDA)" in text
    assert "Consumer Health Information, April 2010." in text
    assert "MedlinePlus Medical Encyclopedia, U.S. National Library of Medicine, date not recorded." in text
    links = {
        a.get_text(): a["href"]
        for a in BeautifulSoup(client.get(OVERVIEW).content, "html.parser").select("#sources a")
    }
    # The FDA retired the Kybella announcement's old address: none is shown rather than a dead one.
    assert "FDA approves treatment for fat below the chin" not in links
    assert "ucm444978" not in client.get(OVERVIEW).content.decode()
    assert "FDA approves treatment for fat below the chin. U.S. Food and Drug Administration (FDA)" in text
    assert text.count("Address not known.") == 5  # every source without an address says so
    assert links["Anaphylaxis"] == "https://medlineplus.gov/ency/article/000844.htm"


def test_a_source_checked_by_staff_says_when(client, content):
    Source.objects.filter(title="Anaphylaxis").update(checked_on=datetime.date(2026, 11, 20))
    Section.objects.first().save()  # any content edit empties the page cache
    assert "Anaphylaxis. MedlinePlus" in text_of(client, OVERVIEW, "#sources", separator="")
    assert "Checked by our staff on 20 November 2026." in text_of(client, OVERVIEW, "#sources")


def test_each_answer_and_section_names_its_sources_linked_to_the_list(client, content):
    html = BeautifulSoup(client.get(FAQ).content, "html.parser")
    results = html.select_one("#results .cited-sources")
    assert results.get_text(" ").startswith("Sources:")
    targets = [a["href"] for a in results.select("a")]
    assert targets
    assert all(html.select_one(target) for target in targets)


def test_the_structured_data_cites_the_sources(client, content):
    html = BeautifulSoup(client.get(SAFETY).content, "html.parser")
    blocks = [json.loads(script.string) for script in html.select('script[type="application/ld+json"]')]
    (web_page,) = [block for block in blocks if block["@type"] == "MedicalWebPage"]
    names = [citation["name"] for citation in web_page["citation"]]
    assert "FDA Warns About Lipodissolve Product Claims" in names
    fda_2010 = next(c for c in web_page["citation"] if c["name"] == "FDA Warns About Lipodissolve Product Claims")
    assert fda_2010["datePublished"] == "2010-04"
    faq_source = next(c for c in web_page["citation"] if c["name"].startswith("What is Mesotherapy?"))
    assert "datePublished" not in faq_source
    assert "url" not in faq_source


# What the regulator says, where a patient decides


@pytest.mark.parametrize("url", [OVERVIEW, SAFETY])
def test_what_the_fda_says_is_on_the_overview_and_the_side_effects_page_with_its_sources(client, content, url):
    section = text_of(client, url, "#what-the-fda-says")
    for fact in [
        "In April 2010 the U.S. Food and Drug Administration (FDA) warned the public about lipodissolve",
        "also known as mesotherapy or injection lipolysis",
        "it has not evaluated or approved the products used in it for fat removal",
        "it is not aware of credible evidence that they work to remove fat",
        "their safety, used alone or mixed together, is unknown",
        "permanent scarring, skin deformation, and deep, painful knots under the skin",
        '"outstanding safety record"',
        "It is deoxycholic acid (Kybella). It is approved only for adults with moderate to severe fat below the chin",
        "FDA Warns About Lipodissolve Product Claims",
        "FDA approves treatment for fat below the chin",
    ]:
        assert fact in section


@pytest.mark.parametrize("url", ["/", "/treatments/", *PAGES])
def test_fda_approved_is_never_shown_without_what_it_does_not_mean(client, content, url):
    text = text_of(client, url)
    if "FDA-approved" in text:
        assert "That does not mean the FDA has approved mesotherapy" in text
    assert "FDA-approved" not in text_of(client, "/", ".cards")


def test_the_overviews_first_screen_says_what_the_fda_says(client, content):
    lead = text_of(client, OVERVIEW, ".lead")
    assert "The FDA says it has not approved the products used for fat removal by injection" in lead


@pytest.mark.parametrize("url", [OVERVIEW, SAFETY])
def test_risks_and_when_to_get_help_are_shown_with_allergy_and_911(client, content, url):
    risks = text_of(client, url, "#risks")
    assert "all of these except allergy are temporary" in risks  # as the clinic's page says, attributed
    assert "Not every problem goes away." in risks  # never "all temporary" beside the FDA's reports
    assert "permanent scarring and skin deformation" in risks
    help_ = text_of(client, url, "#when-to-get-help")
    assert "Call 911 at once if you have signs of a severe allergic reaction (anaphylaxis)" in help_
    assert "swelling of the face, eyes or tongue" in help_
    assert "Anaphylaxis" in text_of(client, url, "#sources")  # the source of those signs


def test_a_decision_section_nobody_has_written_is_not_shown_and_is_listed_for_editors(admin_client, client, content):
    page = TreatmentPage.objects.get(treatment__language="en", slug="")
    TreatmentPage.objects.filter(pk=page.pk).update(who_should_not="", cost="")
    Section.objects.first().save()  # any content edit empties the page cache
    html = client.get(OVERVIEW).content.decode()
    assert "Who should not have this treatment" not in html
    assert "What it costs" not in html
    page.refresh_from_db()
    admin = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert (
        "Not shown to patients until written: <strong>Who should not have this treatment, What it costs</strong>"
        in admin
    )
    page.cost = "A consultation costs $100."
    page.save()
    assert "A consultation costs $100." in text_of(client, OVERVIEW, "#cost")


# "Last updated" is the last change of the words, set by the site


def last_updated(client, url):
    return BeautifulSoup(client.get(url).content, "html.parser").select_one(".review-dates time")["datetime"]


@pytest.fixture
def faq_changed_long_ago(content):
    TreatmentPage.objects.update(words_changed_at=long_ago())
    return TreatmentPage.objects.get(slug="faq")


def test_editing_an_answer_moves_last_updated_to_today(client, faq_changed_long_ago):
    assert last_updated(client, FAQ) == timezone.localdate(long_ago()).isoformat()
    answer = FAQEntry.objects.get(page__treatment__language="en", anchor="pain")
    answer.answer += " It is over quickly."
    answer.save()
    assert last_updated(client, FAQ) == timezone.localdate().isoformat()
    assert last_updated(client, OVERVIEW) == timezone.localdate(long_ago()).isoformat()  # only its own page


@pytest.mark.parametrize(
    "change",
    [
        lambda page: page.save(),  # a save that changes nothing
        lambda page: [entry.save() for entry in page.faq_entries.all()],
        lambda page: [  # the browser's CRLF line endings are not a change of the words
            FAQEntry.objects.filter(pk=entry.pk).update(answer=entry.answer.replace("\n", "\r\n"))
            or FAQEntry.objects.get(pk=entry.pk).save()
            for entry in page.faq_entries.all()
        ],
        lambda page: record_review(page),  # a review is recorded beside the words
        lambda page: FAQEntry.objects.filter(page=page).update(order=99) or page.faq_entries.first().save(),
    ],
    ids=["no-op save", "answers saved unchanged", "line endings", "review", "reorder"],
)
def test_what_does_not_change_the_words_leaves_last_updated(client, faq_changed_long_ago, change):
    change(faq_changed_long_ago)
    assert last_updated(client, FAQ) == timezone.localdate(long_ago()).isoformat()


@pytest.mark.parametrize(
    "change",
    [
        lambda page: FAQEntry.objects.filter(page=page).first().delete(),
        lambda page: Section.objects.create(page=page, heading="New", anchor="new", body="New words."),
        lambda page: setattr(page, "intro", page.intro + " More.") or page.save(),
    ],
    ids=["delete an answer", "add a section", "edit the introduction"],
)
def test_adding_deleting_or_editing_words_moves_last_updated(client, faq_changed_long_ago, change):
    change(faq_changed_long_ago)
    assert last_updated(client, FAQ) == timezone.localdate().isoformat()


def test_a_tip_edit_dates_its_steps_page(client, content):
    TreatmentPage.objects.update(words_changed_at=long_ago())
    tip = PreventionStep.objects.get(title="Exercise regularly").tips.first()
    tip.text = "Ideally outdoors, in the fresh air."
    tip.save()
    assert last_updated(client, PREVENTION) == timezone.localdate().isoformat()


def test_editors_cannot_type_the_date_and_the_admin_shows_the_one_the_site_set(admin_client, content):
    page = TreatmentPage.objects.get(slug="faq")
    html = admin_client.get(reverse("admin:treatments_treatmentpage_change", args=[page.pk])).content.decode()
    assert 'name="words_changed_at"' not in html
    assert 'name="last_updated"' not in html
    assert f'<div class="readonly">{timezone.localdate(page.words_changed_at).isoformat()}</div>' in html


@pytest.mark.parametrize("url", [OVERVIEW, "/treatments/mesotherapy/side-effects-and-safety/"])
def test_the_pages_say_who_should_not_have_it_and_what_it_costs_from_the_sources(client, content, url):
    who = text_of(client, url, "#who-should-not")
    assert "Our sources do not give a full list of who should not have mesotherapy" in who
    assert "allergy skin test" in who
    assert "If a doctor told you to take them, ask that doctor before you stop." in who
    assert "its use there is not recommended" in who  # the FDA's own words on Kybella elsewhere
    assert "Please ask us what a consultation and a course of treatment cost" in text_of(client, url, "#cost")


def test_the_pages_keep_the_sources_hedges_and_the_fdas_points(client, content):
    overview = text_of(client, OVERVIEW, "main")
    for attributed in [
        "Another clinic's page says mesotherapy can be used:",
        "It says the treatment aims to improve blood flow, make connective tissue stronger, and dissolve extra fat.",
        "Other agents are used to remove areas of fat.",
        "It says the skin is often treated with success.",
        "The FDA says it is not aware of clinical studies to support medical uses of these shots",
    ]:
        assert attributed in overview
    faq = text_of(client, "/treatments/mesotherapy/faq/", "main")
    assert "such as the size of the area being treated" in faq
    assert "It says many patients are pleased with their results even after the first visit" in faq
    assert "That page says that if you gain weight after mesotherapy, the fat will come back" in faq
    assert "If a doctor told you to take them, ask that doctor before you stop." in faq
    safety = text_of(client, "/treatments/mesotherapy/side-effects-and-safety/", "main")
    assert "Our 2015 page says side effects after mesotherapy for cellulite are generally minimal" in safety
    wrinkles = text_of(client, "/treatments/mesotherapy/preventing-wrinkles/", "main")
    assert "Our 2015 page says these 5 steps help to cleanse your body of toxins" in wrinkles
    for unattributed in ["size of the area we treat", "It works to improve blood flow", "Other agents remove areas"]:
        assert unattributed not in overview + faq


def test_a_strong_claim_needs_a_source_on_its_own_sentence(content):
    """'Guaranteed painless and 100% safe' in a section that cites sources is not cited: the
    sentence needs its own [n], or a clinical reviewer's sign-off of that very sentence."""
    from django.contrib.auth.models import User

    from treatments.claims import unbacked_strong_claims
    from treatments.models import ClaimSignOff

    page = TreatmentPage.objects.get(slug="faq")
    section = Section.objects.create(
        page=page, heading="Promise", anchor="promise", body="Guaranteed painless and 100% safe."
    )
    section.sources.set(Source.objects.all()[:2])
    loaded = TreatmentPage.objects.with_content().get(pk=page.pk)
    assert {claim.phrase for claim in unbacked_strong_claims(loaded)} == {"guaranteed", "painless", "100%", "safe"}
    section.body = "Guaranteed painless and 100% safe [1]."
    section.save()
    assert unbacked_strong_claims(TreatmentPage.objects.with_content().get(pk=page.pk)) == []
    section.body = "Guaranteed painless [9]."  # the page has no ninth source
    section.save()
    assert unbacked_strong_claims(TreatmentPage.objects.with_content().get(pk=page.pk))
    doctor = User.objects.create_user("drlee", first_name="Grace", last_name="Lee")
    ClaimSignOff.objects.create(page=page, sentence="Guaranteed painless.", signed_by=doctor)
    assert unbacked_strong_claims(TreatmentPage.objects.with_content().get(pk=page.pk)) == []


def test_a_strong_claim_stops_a_publish_a_live_save_and_a_review_until_cited_or_signed_off(admin_client, content):
    from django.contrib.auth.models import Group

    from conftest import sign_in
    from tests.admin_forms import admin_change_form_data
    from tests.treatments.factories import make_reviewer

    page = TreatmentPage.objects.get(slug="faq")
    change = reverse("admin:treatments_treatmentpage_change", args=[page.pk])
    # A published page: the save is refused on the field, with what was typed kept.
    data = admin_change_form_data(admin_client.get(change))
    response = admin_client.post(change, {**data, "intro": "Guaranteed painless and 100% safe."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "claims safety or results with no source on the sentence itself" in html
    assert "Guaranteed painless and 100% safe." in html
    page.refresh_from_db()
    assert "Guaranteed" not in page.intro
    # On a draft it saves, but does not publish.
    assert admin_client.post(reverse("admin:treatments_treatmentpage_open_draft", args=[page.pk])).status_code == 302
    draft = page.drafts.get()
    draft_change = reverse("admin:treatments_treatmentpage_change", args=[draft.pk])
    data = admin_change_form_data(admin_client.get(draft_change))
    assert admin_client.post(draft_change, {**data, "intro": "Guaranteed painless and 100% safe."}).status_code == 302
    publish_url = reverse("admin:treatments_treatmentpage_publish", args=[draft.pk])
    refused = admin_client.post(publish_url, {"publish_at": ""})
    assert refused.status_code == 200
    assert "Not published: these sentences claim safety or results" in refused.content.decode()
    listed = BeautifulSoup(refused.content, "html.parser").select(".review-reminder li")
    assert [item.get_text() for item in listed] == ["“Guaranteed painless and 100% safe.”"]  # once, for 4 phrases
    assert "I am the reviewing clinician" not in refused.content.decode()  # the admin is no reviewer
    page.refresh_from_db()
    assert "Guaranteed" not in page.intro
    # A clinical reviewer signs that very sentence off, in their name, and publishes.
    doctor = make_reviewer()
    doctor.user.groups.add(Group.objects.get(name="Clinical reviewers"), Group.objects.get(name="Editors"))
    reviewer = sign_in(Client(), doctor.user)
    assert "I am the reviewing clinician" in reviewer.get(publish_url).content.decode()
    assert reviewer.post(publish_url, {"publish_at": "", "sign_off_claims": "on"}).status_code == 302
    page.refresh_from_db()
    assert page.intro == "Guaranteed painless and 100% safe."
    signed = page.claim_sign_offs.get()
    assert (signed.sentence, signed.signed_by) == ("Guaranteed painless and 100% safe.", doctor.user)


@pytest.mark.parametrize(
    "sentence",
    [
        "Mesotherapy can be used:\n- to eliminate cellulite\n- to promote weight loss",
        "It works to improve blood flow, make connective tissue stronger, and dissolve extra fat.",
        "Other agents remove areas of fat.",
        "The skin is often treated with success.",
        "Many patients are pleased with their results even after the first visit.",
        "If you gain weight, the fat will simply come back to the treated area.",
        "These 5 steps help to cleanse your body of toxins.",
    ],
)
def test_a_claim_of_effect_in_no_sources_words_is_caught_though_the_text_cites_sources(content, sentence):
    page = TreatmentPage.objects.get(slug="faq")
    entry = FAQEntry.objects.create(page=page, question="Does it work?", anchor="works", answer=sentence)
    entry.sources.set(Source.objects.all()[:2])
    claims = uncited_claims(TreatmentPage.objects.with_content().get(pk=page.pk))
    assert claims, sentence
    assert all(claim.as_fact for claim in claims)
    entry.answer = "Another clinic's page says: " + sentence if "\n" not in sentence else "That page says " + sentence
    entry.save()
    assert uncited_claims(TreatmentPage.objects.with_content().get(pk=page.pk)) == []
