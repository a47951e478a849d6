import time

import pytest
from bs4 import BeautifulSoup

from appointments.forms import AppointmentRequestForm, issue_form_token

from .factories import form_data

pytestmark = pytest.mark.django_db


def bound(**overrides):
    return AppointmentRequestForm(form_data(**overrides))


def test_a_complete_request_is_valid(content):
    form = bound()
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone"]) == "+17185550142"


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("first_name", "Enter your first name."),
        ("last_name", "Enter your last name."),
        ("city", "Enter your city."),
        ("state", "Choose your state."),
        ("email", "Enter your e-mail address."),
        ("phone", "Enter your phone number."),
        ("contact_preference", "Choose how we should contact you: by e-mail or by phone."),
    ],
)
def test_each_required_field_says_what_to_do(content, field, message):
    form = bound(**{field: ""})
    assert not form.is_valid()
    assert form.errors[field] == [message]


@pytest.mark.parametrize(
    "typed", ["(718) 555-0142", "718.555.0142", "718-555-0142", "7185550142", "+1 718 555 0142", "1 (718) 555-0142"]
)
def test_us_phone_numbers_in_any_common_format_are_stored_normalized(content, typed):
    form = bound(phone=typed)
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone"]) == "+17185550142"


@pytest.mark.parametrize("typed", ["12", "555-0142", "phone me", "(000) 000-0000", "+44 20"])
def test_impossible_phone_numbers_are_refused(content, typed):
    form = bound(phone=typed)
    assert not form.is_valid()
    assert form.errors["phone"] == ["Enter a US phone number with its area code, like (212) 679-9667."]


@pytest.mark.parametrize("typed", ["+44 20 7946 0958", "+33 1 42 68 53 00", "+1 416 555 0142"])
def test_numbers_outside_the_us_are_refused_with_the_reason_and_what_to_do(content, typed):
    form = bound(phone=typed)
    assert not form.is_valid()
    (message,) = form.errors["phone"]
    assert message.startswith("We can only call US phone numbers, and this one is not.")
    assert "please e-mail us instead" in message


def test_the_phone_field_says_before_typing_that_only_us_numbers_are_taken(content):
    assert "We can only call US numbers." in str(bound()["phone"].help_text)


@pytest.mark.parametrize(("field", "value"), [("email", "ana@"), ("state", "XX"), ("contact_preference", "fax")])
def test_invalid_values_are_refused(content, field, value):
    assert field in bound(**{field: value}).errors


def test_comments_are_limited_to_a_thousand_characters(content):
    assert bound(comments="x" * 1000).is_valid()
    assert bound(comments="x" * 1001).errors["comments"] == ["Please keep your comments to 1000 characters or fewer."]


def test_optional_fields_may_be_left_out(content):
    form = bound(purpose="", treatment="", comments="", newsletter=None)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["newsletter"] is False


def test_newsletter_is_unchecked_and_no_contact_method_chosen_by_default(content):
    html = BeautifulSoup(AppointmentRequestForm().as_div(), "html.parser")
    assert not html.select_one('input[name="newsletter"]').has_attr("checked")
    assert html.select('input[name="contact_preference"]')
    assert html.select('input[name="contact_preference"][checked]') == []


def test_a_filled_hidden_field_marks_a_bot(content):
    assert bound(website="http://spam.example").looks_automated()
    assert not bound().looks_automated()


def test_a_form_sent_within_seconds_is_marked_quick_but_not_as_a_bot(content, settings):
    settings.APPOINTMENT_MIN_FILL_SECONDS = 3
    quick = bound(form_token=issue_form_token(time.time()))
    assert quick.sent_quickly()
    assert not quick.looks_automated()
    assert not bound(form_token=issue_form_token(time.time() - 4)).sent_quickly()


def test_a_forged_token_is_an_error_not_a_crash(content):
    form = bound(form_token="forged:token")
    assert not form.is_valid()
    assert form.errors["form_token"] == ["This form could not be checked. Please send it again."]
