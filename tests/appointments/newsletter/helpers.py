from appointments.models import NewsletterIssue, Subscriber
from appointments.newsletter.addresses import address_hash


def confirmed_subscribers(count: int, domain="example.org") -> list[str]:
    addresses = [f"reader{number}@{domain}" for number in range(count)]
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=address, address_hash=address_hash(address), status="confirmed", source="sign_up_form")
            for address in addresses
        ]
    )
    return addresses


def an_issue(**fields) -> NewsletterIssue:
    values = {
        "subject": "Mesotherapy: what to ask before your first visit",
        "body": "Hello,\n\nThree questions **worth asking**:\n\n- How many sessions?\n- What does it cost?\n\n"
        "[Read our FAQ](/treatments/mesotherapy/faq/)\n\n<script>alert(1)</script>",
        **fields,
    }
    return NewsletterIssue.objects.create(**values)
