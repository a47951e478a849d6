"""The public page reads its parts in one UNION (treatments/page_content.py), field by field: a
field added to a part must be carried there, or left out on purpose, or this test fails."""

import pytest

from treatments.models import TreatmentPage
from treatments.page_content import CARRIED, LEFT_OUT, attach_parts


def field_names(model):
    return {
        field.name
        for field in model._meta.get_fields()
        if field.concrete or (field.many_to_many and not field.auto_created)
    }


@pytest.mark.parametrize("model", list(CARRIED), ids=lambda model: model.__name__)
def test_every_field_of_a_part_is_carried_to_the_page_or_left_out_on_purpose(model):
    decided = CARRIED[model] | set(LEFT_OUT.get(model, {}))
    assert field_names(model) == decided, (
        f"{model.__name__}: add new fields to CARRIED (and to page_parts_query) or to LEFT_OUT with a reason"
    )


@pytest.mark.django_db
def test_what_is_carried_equals_what_is_stored(content):
    for page in TreatmentPage.objects.all():
        built = attach_parts(TreatmentPage.objects.get(pk=page.pk))
        stored = TreatmentPage.objects.with_content().get(pk=page.pk)
        for name in ["section_list", "faq_list", "step_list", "review_list"]:
            for made, kept in zip(getattr(built, name), getattr(stored, name), strict=True):
                model = type(kept)
                for field in CARRIED[model] - {"sources", "page", "step", "reviewer"}:
                    assert getattr(made, field) == getattr(kept, field), (model.__name__, field)
