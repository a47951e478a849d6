"""The one way a rating or comment is refused: raised anywhere in the endpoint, answered by
`views.rating_endpoint` in one place, and nothing is stored."""


class RatingRefused(Exception):
    def __init__(self, message, *, status=400, page=None, forget_visitor=False, headers=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.page = page  # where "Back to the page" leads, when known
        self.forget_visitor = forget_visitor  # the visitor cookie was forged: clear it
        self.headers = headers or {}
