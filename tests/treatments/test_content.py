"""The seed documents' facts are all on the site, and the fixtures load again without copies."""

import datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.utils import timezone

from treatments.models import Clinic, FAQEntry, PreventionStep, PreventionTip, Section, Treatment, TreatmentPage

pytestmark = pytest.mark.django_db

OVERVIEW = "/treatments/mesotherapy/"
FAQ = "/treatments/mesotherapy/faq/"
PREVENTION = "/treatments/mesotherapy/preventing-wrinkles/"
SAFETY = "/treatments/mesotherapy/side-effects-and-safety/"

# Each fact of the two seed pages, as a phrase the patient reads on the page that carries it.
SEED_FACTS = {
    OVERVIEW: [
        "non-surgical cosmetic solution",
        "FDA-approved medicines, vitamins and minerals",
        "minimally invasive procedure",
        "widely used in Europe and elsewhere",
        "medicinal bullets",
        "mesoderm, the middle layer of the skin",
        "pharmaceutical and homeopathic medications, plant extracts, vitamins",
        "it seems, by causing lipolysis",
        "to eliminate cellulite",
        "to promote weight loss",
        "to provide anti-aging benefits",
        "to eliminate localized fat deposits",
        "Fat reduction",
        "Hair regrowth (alopecia",
        "Face and neck rejuvenation (Mesolift)",
        "arthritic pain and for treating anxiety",
        "revolutionary and essential tool",
        "complete evaluation of your diet and nutrients",
        "most women over the age of 20",
        "poor circulation, fat herniation",
        "lymphatic congestion, and hormonal imbalances",
        "classified into four stages",
        "not a disease of excess weight",
        "cottage cheese",
        "Defective connective tissue",
        "Enlarged fat cells",
        "abdomen, arms, back, legs and hands",
        "Vitamins and amino acids are used to tighten sagging skin",
        "collagen, elastin, bio-identical low-dose estrogen (E3 or estriol)",
        "glycolic acid and other botanical compounds",
        "As an alternative to plastic surgery",
        "rejuvenate (Mesoglow)",
        "comprehensive natural medicine program",
        "Hormone imbalances are often at the core of the problem",
        "will need to be repeated for ongoing results",
        "four to six millimeters",
        "skin is often iced or cooled",
        "between 30 and 300 injections or more",
        "less than a couple of minutes",
        "at least 8 to 15 sessions",
        "twice a week",
        "once every two weeks or once a month",
        "between 6 and 10 visits",
    ],
    FAQ: [
        "love handles",
        "between 6 and 10 visits",
        "pleased with their results even after the first visit",
        "not surgery, and no general anesthetic is needed",
        "removes the fat from inside the fat cell",
        "fat can move to places where there were no problems before",
        "For 3 days before treatment, avoid taking aspirin or anti-inflammatory medicines",
        "cream that contains vitamin K",
        "about ten pounds and one to two clothing sizes",
        "regrowth can begin just weeks after the first treatment",
        "After about six months",
        "a glow to the face (Mesoglow)",
        "permanent as long as you follow a healthy diet",
        "after 6 months to 1 year",
        "1 session every 2 weeks, 4 to 6 sessions in all, with maintenance every 3 months",
        "usually 10 sessions, done once every 2 weeks",
        "saddlebags, hips, thighs, waist, love handles, back fat and chin",
        "That page says the procedure is very safe",
        "within a few days to a week",
        "Some vitamins and creams can help lower the chance of bruising",
        "go back to work immediately after the procedure",
        "less than 30 minutes",
        "like an insulin needle",
        "do not have severe discomfort",
    ],
    PREVENTION: [
        "thousands, if not millions, of women",
        "Pay attention to your diet",
        "high-quality, pure water",
        "coffee, alcohol, or very high-fat foods such as chocolate and candy",
        "30 grams a day is a good target",
        "fresh fruit",
        "Avoid too many carbohydrates if excess body fat is a problem",
        "The more natural foods your diet contains, the better",
        "Quit smoking, or cut down",
        "tanning booths",
        "Exercise regularly",
        "Ideally in the fresh air",
        "do it inside, to music",
        "breathing exercises, four to six hours a week",
        "Make relaxation a regular part of your daily routine",
        "cleanse your body of toxins",
        "Don&#x27;t expect miracles",
        "They are not meant to cure them",
    ],
    SAFETY: [
        "generally minimal",
        "swelling in the treated area, for a short time",
        "redness",
        "itching",
        "possible allergy",
        "except allergy, are temporary",
        "within a few hours to a week",
        "allergy skin test",
        "hyaluronidase, a protein-based enzyme",
        "scarring collagen",
        "serious allergic reaction",
        "avoid taking aspirin or anti-inflammatory medicines",
        "vitamin K",
        "no downtime and no recovery time",
    ],
}
CLINIC_FACTS = [
    "Patients Medical PC",
    "1-212-679-9667",
    'href="tel:+12126799667"',
    'href="mailto:info@patientsmedical.com"',
    "800 Second Avenue, Suite 900",
    "Between 42nd &amp; 43rd Street",
    "Manhattan, New York, NY 10017",  # the source's "Manhattan, NYC, New York" named the city three times
    "we strongly recommend that you make an appointment",
    "call our patient coordinator",
    "We are currently accepting new patients",
]


@pytest.mark.parametrize("url", list(SEED_FACTS))
def test_every_seed_fact_is_on_its_page(client, content, url):
    html = client.get(url).content.decode()
    missing = [fact for fact in SEED_FACTS[url] if fact not in html]
    assert missing == []


# Sentences the sources never said in this clinic's voice (issue 16): the facts stay, the voice goes.
INVENTED_VOICE = [
    "in our experience",
    "we find",
    "we see",
    "we call",
    "our patients often ask",
    "your physician will tell you",
    "we also do a complete evaluation",
    "we use it",
    "we use them",
    "we treat the areas",
    "we take great care",
    "our advice",
]


@pytest.mark.parametrize("url", list(SEED_FACTS))
def test_no_page_puts_a_sources_claim_in_the_clinics_mouth(client, content, url):
    text = BeautifulSoup(client.get(url).content, "html.parser").select_one("main").get_text(" ").lower()
    assert [phrase for phrase in INVENTED_VOICE if phrase in " ".join(text.split())] == []


def test_the_faq_says_whose_answers_they_are(client, content):
    html = BeautifulSoup(client.get(FAQ).content, "html.parser")
    intro = html.select_one(".lead").get_text(" ")
    assert "come from another clinic's patient page" in intro
    assert "has no date and does not name the clinic" in intro
    for entry in html.select(".faq-entry"):
        assert "What is Mesotherapy?" in entry.select_one(".cited-sources").get_text()


def test_the_sources_hedges_are_kept(client, content):
    text = BeautifulSoup(client.get(OVERVIEW).content, "html.parser").select_one("main").get_text(" ")
    for hedge in [
        "are said to target fat cells",
        "it seems, by causing lipolysis",
        "is said to change how the fat cell",
    ]:
        assert hedge in " ".join(text.split())
    prevention = BeautifulSoup(client.get(PREVENTION).content, "html.parser").select_one("main").get_text(" ")
    assert "believed to be a major cause" in prevention


def test_session_counts_are_reconciled_by_condition_on_the_overview(client, content):
    sessions = BeautifulSoup(client.get(OVERVIEW).content, "html.parser").select_one("#sessions").get_text(" ")
    for condition, plan in [
        ("Face:", "1 session every 2 weeks, 4 to 6 sessions in all"),
        ("Weight and cellulite:", "usually 10 sessions, once every 2 weeks"),
        ("Cellulite, depending on how severe it is:", "twice a week"),
        ("Long-term conditions such as cellulite and wrinkles:", "at least 8 to 15 sessions"),
    ]:
        assert condition in sessions
        assert plan in sessions


def test_the_overview_opens_with_an_at_a_glance_box_from_its_own_facts(client, content):
    box = BeautifulSoup(client.get(OVERVIEW).content, "html.parser").select_one(".at-a-glance")
    text = box.get_text(" ")
    assert box.find(["h2"]).get_text() == "At a glance"
    for fact in [
        "not surgery",
        "6 to 10",
        "go back to work straight away",
        "less than 30 minutes",
        "allergy skin test",
        "An allergy may not go away",
        "The FDA has reports of permanent scarring",
        "What the FDA says: it has not approved the products used to remove fat this way",
    ]:
        assert fact in text
    assert "the one side effect that is not temporary" not in text  # the FDA reports others
    assert "usually mild and short" not in text


@pytest.mark.parametrize("url", ["/", "/treatments/", *SEED_FACTS, "/appointments/request/"])
def test_the_clinics_address_appears_once_per_page(client, content, url):
    body = client.get(url).content.decode().split("</head>")[1]  # the structured data in the head is not read
    assert body.count("800 Second Avenue, Suite 900") == 1


@pytest.mark.parametrize("url", list(SEED_FACTS))
def test_every_treatment_page_shows_the_clinic_next_steps(client, content, url):
    html = client.get(url).content.decode()
    assert [fact for fact in CLINIC_FACTS if fact not in html] == []


@pytest.mark.parametrize("url", list(SEED_FACTS))
def test_last_updated_is_when_the_shipped_words_changed_and_no_review_is_claimed(client, content, url):
    html = client.get(url).content.decode()
    shipped = timezone.localdate(SHIPPED_WORDS_CHANGED_AT)  # fixtures/: the words' date, not the load's
    assert (
        f'<dt>Last updated</dt><dd><time datetime="{shipped:%Y-%m-%d}">{shipped.day} {shipped:%B %Y}</time></dd>'
        in html
    )
    record = BeautifulSoup(html, "html.parser").select_one(".review-dates").get_text(" ")
    assert "2015" not in record  # the 2015 date belongs to its source, listed with the sources
    assert "<dt>Medical review</dt><dd>No clinician has reviewed this page yet.</dd>" in html
    for claim in ["Reviewed by", "Next review due", "due for review"]:
        assert claim not in html


def test_loading_the_fixtures_again_adds_nothing(content):
    models = [Clinic, Treatment, TreatmentPage, Section, FAQEntry, PreventionStep, PreventionTip]
    before = {model: model.objects.count() for model in models}
    call_command("loaddata", "clinic", "mesotherapy", "mesotherapy_es", verbosity=0)
    assert {model: model.objects.count() for model in models} == before
    assert before[FAQEntry] == 9 * 2  # in English and in Spanish
    assert before[PreventionStep] == 5 * 2


def test_the_five_steps_carry_their_own_tips(content):
    tips = {step.title: step.tips.count() for step in PreventionStep.objects.filter(page__treatment__language="en")}
    assert tips == {
        "Pay attention to your diet": 6,
        "Quit smoking, or cut down": 0,
        "Stay out of the sun when you do not need to be in it": 0,
        "Exercise regularly": 4,
        "Don't let stress get on top of you": 0,
    }


@pytest.mark.parametrize(
    "url",
    [
        "/treatments/mesotherapy/",
        "/treatments/mesotherapy/faq/",
        "/treatments/mesotherapy/preventing-wrinkles/",
        "/treatments/mesotherapy/side-effects-and-safety/",
    ],
)
def test_the_fdas_warning_is_a_callout_near_the_top_of_every_treatment_page(client, content, url):
    page = BeautifulSoup(client.get(url).content, "html.parser")
    warning = page.select_one("article aside.warning")
    assert warning is not None
    # After the title and the page's first words, before everything else on the page.
    assert warning.find_previous_sibling("div", class_="lead") is not None
    assert [tag.name for tag in warning.find_previous_siblings()] == ["div"]
    text = warning.get_text(" ", strip=True)
    assert "has not approved the products used to remove fat by injection" in text
    assert "permanent scarring" in text
    assert "Source: FDA Warns About Lipodissolve Product Claims" in text
    links = {a.get_text(strip=True): a["href"] for a in warning.select("a")}
    assert links["When to get medical help"] == "/treatments/mesotherapy/side-effects-and-safety/#when-to-get-help"
    assert links["What the FDA says"] == "/treatments/mesotherapy/#what-the-fda-says"


# The digest of each shipped page's words as they stood on its shipped words_changed_at. Change the
# words in fixtures/mesotherapy.json, and this test asks for that page's new date and digest.
SHIPPED_WORDS = {
    1: ("2026-12-02T16:00:00Z", "b02d8e937561ab5d"),
    2: ("2026-12-02T16:00:00Z", "287454e5d67561d7"),
    3: ("2026-12-02T16:00:00Z", "07ad821c42ab2427"),
    4: ("2026-12-02T16:00:00Z", "755b558a364c1e51"),
}
# The four pages' words were shipped on one day.
SHIPPED_WORDS_CHANGED_AT = datetime.datetime.fromisoformat(SHIPPED_WORDS[1][0])


def shipped_words_digests() -> dict:
    import hashlib
    import json

    from treatments.words import WORDS

    fixture = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "mesotherapy.json").read_text())
    fields = {f"treatments.{model._meta.model_name}": names for model, names in WORDS.items()}
    steps = {row["pk"]: row["fields"]["page"] for row in fixture if row["model"] == "treatments.preventionstep"}
    words = {}
    for row in fixture:
        if row["model"] not in fields:
            continue
        values = row["fields"]
        if row["model"] == "treatments.treatmentpage":
            page = row["pk"]
        elif row["model"] == "treatments.preventiontip":
            page = steps[values["step"]]
        else:
            page = values["page"]
        listed = [row["model"], row["pk"], [values[name] for name in fields[row["model"]]]]
        words.setdefault(page, []).append(json.dumps(listed))
    return {page: hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:16] for page, parts in words.items()}


def test_the_shipped_date_of_each_pages_words_changes_with_its_words():
    import json

    fixture = json.loads((Path(__file__).resolve().parents[2] / "fixtures" / "mesotherapy.json").read_text())
    dates = {
        row["pk"]: row["fields"].get("words_changed_at")
        for row in fixture
        if row["model"] == "treatments.treatmentpage"
    }
    digests = shipped_words_digests()
    for page, (date, digest) in SHIPPED_WORDS.items():
        assert dates[page] == date, f"page {page}: set SHIPPED_WORDS here to its new date"
        assert digests[page] == digest, (
            f"page {page}'s shipped words changed: set its words_changed_at in fixtures/mesotherapy.json to "
            f"the day of the change, and here ({date!r}, {digests[page]!r})"
        )
