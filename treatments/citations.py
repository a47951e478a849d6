"""A source cited on one sentence: "[2]" after a sentence names the second source in the page's
Sources list, as patients read it (numbered). Claims of safety or of results need one on their
own sentence (treatments/claims.py); patients see it as a link to that source."""

import re

CITATION = re.compile(r"\s?\[(\d{1,2})\]")


def cited_numbers(text: str) -> list[int]:
    """The numbers of the sources the text cites, in order."""
    return [int(number) for number in CITATION.findall(text or "")]


def without_citations(text: str) -> str:
    """The words alone, as they are read aloud and graded."""
    return CITATION.sub("", text or "")
