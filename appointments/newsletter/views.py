"""The newsletter's public pages: sign up, confirm, unsubscribe.

Signing up needs no CSRF token: the form sits on the home page, which is the same for every
visitor and kept in the shared cache, and a forged sign-up could do no more than the attacker
could by posting it themselves (one confirmation e-mail, under a cool-down and a rate limit).
The browser's own word that the post comes from this site is required instead, as for ratings.

Unsubscribing by POST needs neither a cookie nor a token (RFC 8058: mail providers post it for
the recipient, "List-Unsubscribe=One-Click"); its signed link is the proof. Opening the link
(GET) only shows a button: link scanners that follow every link change nothing. The same holds
for the confirmation link, whose button keeps Django's CSRF protection."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from sitewide.client_address import client_address

from ..ratings.visitor import comes_from_this_site
from . import services
from .forms import SignUpForm
from .models import ConsentEvent, Source
from .tokens import LinkExpired, LinkInvalid, read_confirmation_token, read_unsubscribe_token

TRAIL = [(_("Newsletter"), reverse_lazy("newsletter:sign_up"))]


def page(request, template, context=None, status=200):
    return render(
        request, f"appointments/newsletter/{template}.html", {"trail": TRAIL, **(context or {})}, status=status
    )


@csrf_exempt  # see the module docstring
@never_cache
@require_http_methods(["GET", "POST"])
def sign_up(request):
    if request.method == "GET":
        return page(request, "sign_up", {"form": SignUpForm()})
    form = SignUpForm(request.POST)
    if not comes_from_this_site(request):
        return page(request, "sign_up", {"form": form, "refused": True}, status=403)
    if form.looks_automated():
        return redirect("newsletter:check_email")
    if not form.is_valid():
        return page(request, "sign_up", {"form": form}, status=400)
    if is_ratelimited(
        request, group="newsletter.sign_up", key="ip", rate=settings.NEWSLETTER_SIGN_UP_RATE_LIMIT, increment=True
    ):
        return render(request, "429.html", status=429)
    services.subscriber_sign_up(
        email=form.cleaned_data["email"],
        source=Source.SIGN_UP_FORM,
        words=f"{form.fields['email'].label}. {form.fields['email'].help_text}",
        client_address=client_address(request) or None,
    )
    return redirect("newsletter:check_email")


@never_cache
def check_email(request):
    """The same page whatever the address was: nobody learns whether it was known."""
    context = {"days": settings.NEWSLETTER_CONFIRM_DAYS, "minutes": settings.NEWSLETTER_CONFIRM_COOLDOWN_MINUTES}
    return page(request, "check_email", context)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        digest = read_confirmation_token(token)
    except LinkExpired:
        return page(request, "link_problem", {"expired": True}, status=410)
    except LinkInvalid:
        return page(request, "link_problem", {}, status=404)
    if request.method == "GET":
        return page(request, "confirm", {"words": services.CONFIRM_WORDS})
    if not services.subscriber_confirm(digest=digest, client_address=client_address(request) or None):
        return page(request, "link_problem", {"gone": True}, status=410)
    return page(request, "confirmed")


@csrf_exempt  # RFC 8058: the one-click POST comes without cookie or token; the signed link is the proof
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        digest, issue_id = read_unsubscribe_token(token)
    except LinkInvalid:
        return page(request, "link_problem", {}, status=404)
    if request.method == "GET":
        return page(request, "unsubscribe")
    services.subscriber_suppress(
        digest=digest,
        kind=ConsentEvent.Kind.UNSUBSCRIBED,
        source=str(_("unsubscribe link")),
        issue_id=issue_id,
        client_address=client_address(request) or None,
    )
    return page(request, "unsubscribed")
