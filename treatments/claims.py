"""The claims check for editors: words that health-advertising rules treat as claims needing
evidence, found on a page and listed with where they are and whether that text cites a source.

The list of phrases lives here and only here (`CLAIM_PHRASES`); docs/editing.md explains it. A
phrase in a section or a question counts as cited when that section or question names at least
one source; a phrase in the page's own text (title, introduction, "At a glance", the decision
sections, the steps) when the page lists at least one source of its own.

A claim of safety or of results (`STRONG`: "safe", "painless", "guaranteed", "no side effects",
"100%", "permanent" ...) needs more: a source on its own sentence ("[2]", the second of the
page's Sources, see treatments/citations.py), or a clinical reviewer's sign-off of that very
sentence (ClaimSignOff). A page with an uncited claim cannot be recorded as reviewed unless the
reviewer signs it off; a draft with an unbacked strong claim cannot be published, and a
published page cannot be saved with one.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .citations import cited_numbers, without_citations
from .models import ClaimSignOff

NUMBER_ES = r"(?:\d+(?:[.,]\d+)?|una?|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte)"
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
    ("100%", r"\b100\s?%"),
    ("eliminate", r"\beliminat(?:e|es|ed|ing)\b"),
    ("dissolve", r"\bdissolv(?:e|es|ed|ing)\b"),
    ("remove fat", r"\bremov(?:e|es|ed|ing)\b(?:\s+\w+){0,4}?\s+fat\b"),
    ("with success", r"\bwith success\b|\bsuccessfully\b"),
    ("pleased with their results", r"\bpleased with (?:their|the|your) results\b"),
    ("cleanse", r"\bcleans(?:e|es|ed|ing)\b"),
    ("fat will come back", r"\bfat will(?: \w+)? (?:come back|return)\b"),
    ("weight lost", rf"\b{NUMBER}(?:\s+to\s+{NUMBER})?\s+(?:pounds|lbs?|kilos?|kilograms?|kg)\b"),
    ("sizes lost", rf"\b{NUMBER}(?:\s+to\s+{NUMBER})?\s+(?:clothing\s+|dress\s+)?sizes?\b"),
    ("inches lost", rf"\b{NUMBER}(?:\s+to\s+{NUMBER})?\s+inch(?:es)?\b"),
    # Spanish: the same claims in the words a Spanish page would use.
    ("aprobado por la FDA", r"\baprobad[oa]s? por la FDA\b"),
    ("muy seguro", r"\bmuy segur[oa]s?\b"),
    ("historial de seguridad excepcional", r"\bhistorial de seguridad excepcional\b"),
    ("seguro", r"\bsegur[oa]s?\b"),
    ("sin riesgos", r"\bsin riesgos?\b"),
    ("resultados garantizados", r"\bgarantiz(?:a|an|ado|ada|ados|adas|amos|ar)\b"),
    ("en nuestra experiencia", r"\ben nuestra experiencia\b"),
    ("espectacular", r"\bespectacular(?:es|mente)?\b"),
    ("permanente", r"\bpermanente(?:s|mente)?\b"),
    ("sin tiempo de inactividad", r"\b(?:sin|no hay) tiempo de inactividad\b"),
    ("sin tiempo de recuperación", r"\b(?:sin|ni|no hay) tiempo de recuperación\b"),
    ("revolucionario", r"\brevolucionari[oa]s?\b"),
    ("probado", r"\b(?:clínicamente )?probad[oa]s?\b"),
    ("curar", r"\bcur(?:a|an|ar|arla|arlas|arlo|arlos|ado|ada)\b"),
    ("indoloro", r"\bindolor[oa]s?\b|\bsin dolor\b"),
    ("milagro", r"\bmilagros?\b"),
    ("sin efectos secundarios", r"\bsin efectos secundarios\b"),
    ("eliminar", r"\belimin(?:a|an|ar|ado|ada|en)\b"),
    ("disolver", r"\bdisolv(?:er|e|en|ió)\b"),
    ("con éxito", r"\bcon éxito\b"),
    ("contentos con sus resultados", r"\bcontent[oa]s? con (?:sus|los) resultados\b"),
    ("limpiar", r"\blimpi(?:a|an|ar)\b"),
    ("la grasa volverá", r"\bla grasa volverá\b"),
    ("peso perdido", rf"\b{NUMBER_ES}(?:\s+a\s+{NUMBER_ES})?\s+(?:libras|kilos?|kilogramos?)\b"),
    ("tallas perdidas", rf"\b{NUMBER_ES}(?:\s+a\s+{NUMBER_ES})?\s+tallas?\b"),
    ("pulgadas perdidas", rf"\b{NUMBER_ES}(?:\s+a\s+{NUMBER_ES})?\s+pulgadas?\b"),
]
PATTERNS = [(label, re.compile(pattern, re.IGNORECASE)) for label, pattern in CLAIM_PHRASES]
# Claims of effect a source makes: never the clinic's own voice. Cited only in a sentence that
# says whose words they are ("That page says ...", "The FDA says ..."), or under a lead-in that does.
EFFECT = {
    "eliminate",
    "dissolve",
    "remove fat",
    "with success",
    "pleased with their results",
    "cleanse",
    "fat will come back",
    "eliminar",
    "disolver",
    "con éxito",
    "contentos con sus resultados",
    "limpiar",
    "la grasa volverá",
}
ATTRIBUTION = re.compile(
    r"\b(?:says?|said|calls?|called|describes?|described|according to|reports?|warned|names?|believed?"
    r"|dice|dicen|decía|dijo|llama|llaman|describe|descrito|según|informes?|advirtió|nombra|cree)\b",
    re.IGNORECASE,
)
# Claims of safety or of results: a source on the sentence itself, or a reviewer's sign-off of it.
STRONG = {
    "FDA-approved",
    "very safe",
    "outstanding safety record",
    "safe",
    "permanent",
    "painless",
    "guaranteed",
    "no side effects",
    "100%",
    "aprobado por la FDA",
    "muy seguro",
    "historial de seguridad excepcional",
    "seguro",
    "sin riesgos",
    "resultados garantizados",
    "en nuestra experiencia",
    "permanente",
    "indoloro",
    "sin efectos secundarios",
}


@dataclass(frozen=True)
class Claim:
    phrase: str  # the label from CLAIM_PHRASES
    words: str  # the words as the page has them
    where: str  # which part of the page
    excerpt: str  # the sentence around it
    sources: tuple  # the sources that text cites (empty: uncited)

    strong: bool = False  # a claim of safety or results (STRONG)
    as_fact: bool = False  # a claim of effect in no source's words (EFFECT, not attributed)

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


def _lead_in(text: str, start: int) -> str:
    """For a list item, the line that introduces its list ("That page says it can be used:")."""
    line_start = text.rfind("\n", 0, start) + 1
    if not text[line_start:].lstrip().startswith("- "):
        return ""
    for line in reversed(text[:line_start].rstrip("\n").split("\n")):
        if not line.strip():
            return ""
        if not line.lstrip().startswith("- "):
            return line
    return ""


def find_claims(text: str, with_context: bool = False) -> list[tuple]:
    """(label, words, sentence) for each claim phrase in `text`, in reading order; with_context
    adds the sentence with its list's lead-in, which says whose words a list item is."""
    text = text or ""
    found = []
    for label, pattern in PATTERNS:
        for match in pattern.finditer(text):
            found.append((match.start(), match.end(), label, match.group()))
    found.sort(key=lambda item: (item[0], -item[1]))
    kept, covered_to = [], -1
    for start, end, label, words in found:
        if start < covered_to:  # inside a longer phrase already listed
            continue
        sentence = _sentence(text, start, end)
        kept.append(
            (label, words, sentence, f"{_lead_in(text, start)} {sentence}")
            if with_context
            else (label, words, sentence)
        )
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


def the_sentence(sentence: str) -> str:
    """A sentence as a sign-off records it: its words alone, spaces folded."""
    return " ".join(without_citations(sentence).split())


def signed_off_sentences(page) -> set[str]:
    """The sentences a clinical reviewer has signed off on this page (a draft: on its page)."""
    live = page.draft_of_id or page.pk
    if live is None:
        return set()
    return set(ClaimSignOff.objects.filter(page_id=live).values_list("sentence", flat=True))


def sentence_sources(sentence: str, page) -> tuple:
    """The page's sources that the sentence itself cites by number ("[2]")."""
    listed = page.source_list if page.pk else []
    return tuple(listed[number - 1] for number in cited_numbers(sentence) if 1 <= number <= len(listed))


def page_claims(page) -> list[Claim]:
    """Every claim phrase on the page, with where it is and what backs it: for a strong claim,
    a source on its own sentence or a reviewer's sign-off of it; for any other, what that text
    cites."""
    signed = signed_off_sentences(page)
    claims = []
    for where, text, text_sources in page_texts(page):
        for label, words, sentence, context in find_claims(text, with_context=True):
            strong, as_fact = label in STRONG, label in EFFECT and not ATTRIBUTION.search(context)
            sources = () if as_fact else text_sources
            if strong:
                sources = sentence_sources(sentence, page) or (
                    (SIGNED_OFF,) if the_sentence(sentence) in signed else ()
                )
            claims.append(
                Claim(
                    phrase=label,
                    words=words,
                    where=str(where),
                    excerpt=the_sentence(sentence),
                    sources=sources,
                    strong=strong,
                    as_fact=as_fact,
                )
            )
    return claims


class SignedOff:
    """What backs a strong claim a clinical reviewer signed off: listed in place of a source."""

    title = _("signed off by a clinical reviewer")
    pk = None


SIGNED_OFF = SignedOff()


def unbacked_strong_claims(page) -> list[Claim]:
    """Claims of safety or results with neither a source on their sentence nor a sign-off: the
    page cannot be published (or saved, once published) with one."""
    return [claim for claim in page_claims(page) if claim.strong and not claim.is_cited]


def strong_sentences_in(text: str, page) -> list[str]:
    """The sentences of `text` (a field an editor is saving on `page`) that claim safety or
    results with no source on the sentence and no sign-off: what a form refuses."""
    signed = signed_off_sentences(page)
    unbacked = (
        the_sentence(sentence)
        for label, _words, sentence in find_claims(text)
        if label in STRONG and not sentence_sources(sentence, page) and the_sentence(sentence) not in signed
    )
    return list(dict.fromkeys(unbacked))  # each sentence once, however many phrases it holds


def uncited_claims(page) -> list[Claim]:
    return [claim for claim in page_claims(page) if not claim.is_cited]
