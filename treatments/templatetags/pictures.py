"""`{% picture item sizes lazy %}`: a staff picture as WebP renditions with `srcset`, its own width
and height (so nothing moves while it loads), and its alternative text or an empty one."""

from django import template

register = template.Library()


@register.inclusion_tag("treatments/includes/picture.html")
def picture(item, sizes="100vw", lazy=True):
    if not item.image:
        return {"renditions": []}
    renditions = item.renditions()
    return {
        "item": item,
        "renditions": renditions,
        "src": renditions[-1][0],
        "sizes": sizes,
        "lazy": lazy,
        "alt": "" if item.image_is_decorative else item.image_alt,
    }
