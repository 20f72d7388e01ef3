"""Errors the domain raises and every interface translates (no Django here).

`NotFound` means "does not exist, or is not yours": the pages answer it with the same
404 as an unknown address, the API with its 404 error body (one translation each, in
`lpse_support.middleware.DomainErrorMiddleware` and `api.errors`).
"""


class NotFound(Exception):
    """The object does not exist for the asker (missing, or not theirs to see)."""
