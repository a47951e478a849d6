from django.core.management.base import BaseCommand

from sitewide.storage import StoreUnavailable
from treatments.models import Treatment, TreatmentPage


class Command(BaseCommand):
    """`make serve` runs this at every start: the renditions a picture lacks (after a restore, or
    with a new width in RENDITION_WIDTHS) are made, once, whichever servers start together."""

    help = "Make the WebP renditions that any picture lacks."

    def handle(self, *args, **options):
        made = missing = 0
        try:
            for model in (Treatment, TreatmentPage):
                for item in model.objects.exclude(image=""):
                    try:
                        made += item.make_renditions()
                    except FileNotFoundError:
                        # One lost original (a restore without it, say): the page shows no picture
                        # until an editor uploads it again; every other picture still gets its own.
                        missing += 1
                        self.stderr.write(f"No original for {model._meta.verbose_name} {item.pk}: {item.image.name}")
        except StoreUnavailable as error:
            # The site serves its pages without pictures meanwhile; the next start tries again.
            self.stderr.write(f"Renditions not made: {error}")
            return
        self.stdout.write(f"Made {made} renditions." + (f" Pictures with no original: {missing}." if missing else ""))
