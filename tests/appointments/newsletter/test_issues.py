"""Writing and sending an issue: the admin's steps, the message each subscriber gets, and
sending each message once."""

import email
import email.policy
import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from appointments.models import ConsentEvent, NewsletterDelivery, NewsletterIssue, Subscriber, SuppressedAddress
from appointments.newsletter import services
from appointments.newsletter.addresses import address_hash
from appointments.newsletter.selectors import issue_counts
from conftest import sign_in
from treatments.models import Clinic

from .helpers import an_issue, confirmed_subscribers


@pytest.fixture
def editor(db, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", email="editor@clinic.example", password="x", is_staff=True, first_name="Eve", last_name="Editor"
    )
    user.groups.add(Group.objects.get(name="Editors"))
    return sign_in(Client(), user), user


@pytest.mark.django_db
def test_each_subscriber_gets_the_issue_once_with_both_unsubscribe_headers_and_the_postal_address(
    content, run_worker, editor
):
    addresses = confirmed_subscribers(3)
    Subscriber.objects.create(email="pending@example.org", address_hash=address_hash("pending@example.org"),
                              source="sign_up_form")  # fmt: skip
    gone = confirmed_subscribers(1, domain="gone.example")[0]
    SuppressedAddress.objects.create(address_hash=address_hash(gone), reason="bounced")
    issue = an_issue()
    client, _user = editor
    assert client.post(reverse("admin:newsletter_send", args=[issue.pk])).status_code == 302
    assert client.post(reverse("admin:newsletter_send", args=[issue.pk])).status_code == 302  # a second click
    run_worker()
    run_worker()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(addresses)
    message = mail.outbox[0]
    headers = message.message()
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    https, mailto = re.findall(r"<([^>]+)>", headers["List-Unsubscribe"])
    assert "/newsletter/unsubscribe/" in https
    assert mailto.startswith("mailto:")
    assert "subject=unsubscribe" in mailto
    html = message.alternatives[0][0]
    assert f'href="{settings.SITE_URL}/treatments/mesotherapy/faq/"' in html  # works from a mail program
    assert "<strong>worth asking</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    clinic = Clinic.objects.get()
    assert f"{clinic.street_address}" in message.body
    assert f"{clinic.city}, {clinic.region} {clinic.postal_code}" in html
    assert "Unsubscribe in one click: http" in message.body
    numbers = issue_counts(NewsletterIssue.objects.get())
    assert (numbers["recipients"], numbers["sent"], numbers["waiting"], numbers["failed"]) == (3, 3, 0, 0)

    # Unsubscribing from this issue is counted against it.
    path = https.split("://", 1)[1].split("/", 1)[1]
    Client().post("/" + path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert issue_counts(NewsletterIssue.objects.get())["unsubscribed"] == 1
    page = client.get(reverse("admin:appointments_newsletterissue_change", args=[issue.pk])).content.decode()
    assert "Unsubscribed from this issue" in page


@pytest.mark.django_db
def test_the_words_are_fixed_once_sending_starts(content, editor):
    client, _user = editor
    issue = an_issue()
    services.newsletter_issue_send(issue, by=None)
    response = client.post(
        reverse("admin:appointments_newsletterissue_change", args=[issue.pk]),
        {"language": "en", "subject": "Changed", "body": "Changed", "opened_version": 1},
    )
    assert NewsletterIssue.objects.get().subject != "Changed"
    assert response.status_code in (200, 302, 403)


@pytest.mark.django_db
def test_a_save_on_an_older_page_is_refused_and_keeps_her_words(content, editor):
    client, _user = editor
    issue = an_issue()
    url = reverse("admin:appointments_newsletterissue_change", args=[issue.pk])
    client.post(url, {"language": "en", "subject": "First editor's subject", "body": "First", "opened_version": 1})
    response = client.post(
        url, {"language": "en", "subject": "Second editor's subject", "body": "Second", "opened_version": 1}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: someone saved this newsletter" in page
    assert "Second editor&#x27;s subject" in page or "Second editor's subject" in page
    assert NewsletterIssue.objects.get().subject == "First editor's subject"


@pytest.mark.django_db
def test_preview_and_a_test_to_yourself(content, editor, run_worker):
    client, _user = editor
    confirmed_subscribers(2)
    issue = an_issue()
    preview = client.get(reverse("admin:newsletter_preview", args=[issue.pk]))
    assert preview.status_code == 200
    frames = BeautifulSoup(preview.content, "html.parser").select("iframe")
    assert len(frames) == 2
    html = client.get(frames[0]["src"])
    assert "<strong>worth asking</strong>" in html.content.decode()
    assert html["X-Frame-Options"] == "SAMEORIGIN"
    client.post(reverse("admin:newsletter_test", args=[issue.pk]))
    run_worker()
    assert [message.to for message in mail.outbox] == [["editor@clinic.example"]]
    assert mail.outbox[0].subject.startswith("[TEST]")
    assert not NewsletterDelivery.objects.exists()


@pytest.mark.django_db
def test_no_issue_goes_out_without_the_clinics_postal_address(db, editor):
    issue = an_issue()
    confirmed_subscribers(1)
    with pytest.raises(services.CannotSend):
        services.newsletter_issue_send(issue, by=None)
    assert not NewsletterDelivery.objects.exists()


@pytest.mark.django_db
def test_the_front_desk_cannot_send_newsletters(content, client, django_user_model):
    desk = django_user_model.objects.create_user("desk", password="x", is_staff=True)
    desk.groups.add(Group.objects.get(name="Front desk"))
    issue = an_issue()
    response = sign_in(client, desk).post(reverse("admin:newsletter_send", args=[issue.pk]))
    assert response.status_code == 403
    assert not NewsletterDelivery.objects.exists()


@pytest.mark.django_db
def test_an_issue_through_a_real_mail_server_each_once_and_a_refused_address_counted(
    content, smtp, run_worker, settings
):
    controller, inbox = smtp

    async def refuse_one(server, session, envelope, address, rcpt_options):
        if address.startswith("reader1@"):
            return "550 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    inbox.handle_RCPT = refuse_one
    controller.start()
    confirmed_subscribers(4)
    issue = an_issue()
    services.newsletter_issue_send(issue, by=None)
    run_worker()
    received = sorted(recipients[0] for recipients, _raw in inbox.messages)
    assert received == ["reader0@example.org", "reader2@example.org", "reader3@example.org"]
    message = email.message_from_string(inbox.messages[0][1], policy=email.policy.default)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    numbers = issue_counts(NewsletterIssue.objects.get())
    assert (numbers["sent"], numbers["failed"]) == (3, 1)
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_sites_pace_holds_whichever_worker_sent_the_minutes_messages(content, run_worker, settings):
    import datetime

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.NEWSLETTER_MESSAGES_PER_MINUTE = 3
    confirmed_subscribers(5)
    earlier = an_issue(subject="Sent a moment ago by another server")
    NewsletterDelivery.objects.bulk_create(
        [NewsletterDelivery(issue=earlier, address_hash=f"{n:064d}", state="sent", sent_at=timezone.now())
         for n in range(3)]
    )  # fmt: skip
    issue = an_issue()
    services.newsletter_issue_send(issue, by=None)
    run_worker()
    assert mail.outbox == []  # this minute's share is used up
    assert issue_counts(issue)["waiting"] == 5

    a_minute_later = timezone.now() - datetime.timedelta(seconds=61)
    NewsletterDelivery.objects.filter(issue=earlier).update(sent_at=a_minute_later)
    DBTaskResult.objects.filter(status="READY").update(run_after=a_minute_later)  # as if its time had come
    run_worker()
    assert len(mail.outbox) == 1  # then one at a time, 20 seconds apart at 3 a minute
    assert issue_counts(issue)["sent"] == 1


@pytest.mark.django_db
def test_the_heartbeat_resumes_an_issue_whose_sending_stopped(content, run_worker):
    from django_tasks_db.models import DBTaskResult

    from appointments.tasks import worker_heartbeat

    confirmed_subscribers(3)
    issue = an_issue()
    services.newsletter_issue_send(issue, by=None)
    DBTaskResult.objects.all().delete()  # its task failed, or was lost with its worker
    worker_heartbeat.call()
    run_worker()
    assert issue_counts(issue)["sent"] == 3
    assert len(mail.outbox) == 3
    worker_heartbeat.call()  # nothing left: nothing queued
    assert not DBTaskResult.objects.filter(task_path__endswith="send_issue", status="READY").exists()


@pytest.mark.django_db
def test_the_list_of_issues_shows_each_ones_figures_in_the_same_few_queries(content, editor, run_worker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _user = editor
    confirmed_subscribers(2)
    url = reverse("admin:appointments_newsletterissue_changelist")
    services.newsletter_issue_send(an_issue(), by=None)
    run_worker()
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert "2 of 2 sent, 0 failed, 0 not known, 0 waiting; 0 unsubscribed" in page
    for number in range(4):
        services.newsletter_issue_send(an_issue(subject=f"Issue {number}"), by=None)
    with CaptureQueriesContext(connection) as five:
        page = client.get(url).content.decode()
    assert page.count("0 of 2 sent") == 4
    assert len(five.captured_queries) == len(one.captured_queries)
