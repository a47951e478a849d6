"""The content's admin, one module per concern: the clinic, sources, pages (with their drafts,
revisions and reviews as mixins of the page's admin) and reviewers. Importing this package
registers every one."""

from . import clinic, pages, reviews, sources
from .drafts import framed_by_the_admin, frames_allowed_here

__all__ = ["clinic", "framed_by_the_admin", "frames_allowed_here", "pages", "reviews", "sources"]
