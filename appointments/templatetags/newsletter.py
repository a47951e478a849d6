from django import template

from ..newsletter.services import SIGN_UP_ONLY_HELP

register = template.Library()


@register.simple_tag
def sign_up_help():
    """What the sign-up form says it means: the same words its consent records keep."""
    return SIGN_UP_ONLY_HELP
