"""The claims check for editors: words that health-advertising rules treat as claims needing
evidence, found on a page and listed with where they are and whether that text cites a source.

The list of phrases lives here and only here (`CLAIM_PHRASES`); docs/editing.md explains it. A
phrase in a section or a question counts as cited when that section or question names at least
one source; a phrase in the page's own text (title, introduction, "At a glance", the decision
sections, the steps) when the page lists at least one source of its own. A page whose check finds
an uncited phrase cannot be recorded as reviewed unless the reviewing clinician signs off those
phrases explicitly (see PageReview.claims_signed_off).
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

NUMBER = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty)"

# (how editors read it, the pattern that finds it). Longer phrases win over the shorter ones they
# contain ("very safe" is listed once, not also as "safe").
CLAIM_PHRASES = [
    ("FDA-approved", r"\bFDA[- ]approved\b"),
    ("very safe", r"\bvery safe\b"),
    ("outstanding safety record", r"\boutstanding safety record\b"),
    ("safe", r"\bsafe(?:ly|st|r)?\b"),
    ("dramatic", r"\bdramatic(?:ally)?\b"),
    ("permanent", r"\bpermanent(?:ly)?\b"),
    ("no downtime", r"\bno downtime\b"),
    ("no recovery time", r"\bno recovery time\b"),
    ("revolutionary", r"\brevolutionary\b"),
    ("proven", r"\b(?:clinically )?proven\b"),
    ("cure", r"\bcur(?:e|es|ed|ing)\b"),
    ("painless", r"\bpainless\b"),
    ("guaranteed", r"\bguarantee(?:s|d)?\b"),
    ("miracle", r"\bmiracle(?:s)?\b"),
    ("no side effects", r"\bno side[- ]effects\b"),
    ("weight lost", rf"\b{NUMBER}(?:\s+to\s+{NUMBER})?\s+(?:pounds|lbs?|kilos?|kilograms?|kg)\b"),
    ("sizes lost", rf"\b{NUMBER}(?:\s+to\s+{NUMBER})?\s+(?:clothing\s+|dress\s+)?sizes?\b"),
    ("inches lost", rf"\b{NUMBER}(?:\s+to\s+{NUMBER})?\s+inch(?:es)?\b"),
]
PATTERNS = [(label, re.compile(pattern, re.IGNORECASE)) for label, pattern in CLAIM_PHRASES]


@dataclass(frozen=True)
class Claim:
    phrase: str  # the label from CLAIM_PHRASES
    words: str  # the words as the page has them
    where: str  # which part of the page
    excerpt: str  # the sentence around it
    sources: tuple  # the sources that text cites (empty: uncited)

    @property
    def is_cited(self) -> bool:
        return bool(self.sources)

    def __str__(self):
        return f"“{self.words}” ({self.where})"


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    ends = [position for position in (text.find(mark, end) for mark in ".!?\n") if position != -1]
    right = min(ends) + 1 if ends else len(text)
    return " ".join(text[left:right].split())


def find_claims(text: str) -> list[tuple[str, str, str]]:
    """(label, words, sentence) for each claim phrase in `text`, in reading order."""
    found = []
    for label, pattern in PATTERNS:
        for match in pattern.finditer(text or ""):
            found.append((match.start(), match.end(), label, match.group()))
    found.sort(key=lambda item: (item[0], -item[1]))
    kept, covered_to = [], -1
    for start, end, label, words in found:
        if start < covered_to:  # inside a longer phrase already listed
            continue
        kept.append((label, words, _sentence(text, start, end)))
        covered_to = end
    return kept


def page_texts(page) -> list[tuple[str, str, tuple]]:
    """(where, text, cited sources) for every text on a page with its content attached."""
    own_sources = tuple(entry.source for entry in page.page_source_list)
    texts = [
        (_("Title"), page.title, own_sources),
        (_("Introduction"), page.intro, own_sources),
        (_("At a glance"), page.at_a_glance, own_sources),
    ]
    texts += [(heading, text, own_sources) for _name, heading, text in page.decision_sections]
    texts += [(section.heading, section.body, tuple(section.cited_sources)) for section in page.section_list]
    texts += [(entry.question, entry.answer, tuple(entry.cited_sources)) for entry in page.faq_list]
    for step in page.step_list:
        step_text = "\n".join([step.title, step.detail, *(tip.text for tip in step.tip_list)])
        texts.append((step.title, step_text, own_sources))
    return texts


def page_claims(page) -> list[Claim]:
    """Every claim phrase on the page, with where it is and what that text cites."""
    return [
        Claim(phrase=label, words=words, where=str(where), excerpt=sentence, sources=sources)
        for where, text, sources in page_texts(page)
        for label, words, sentence in find_claims(text)
    ]


def uncited_claims(page) -> list[Claim]:
    return [claim for claim in page_claims(page) if not claim.is_cited]
