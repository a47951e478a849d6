"""Page ratings: "Rate this page" at the foot of every treatment page.

models (the tallies, votes and comments) · services (the writes) · selectors (the reads) ·
forms · visitor (the signed visitor cookie, the same-origin check) · views and urls · admin.
"""
