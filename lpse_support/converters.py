"""URL converters."""


class IdConverter:
    """A database id in a URL: digits that fit a 64-bit integer column.

    Django's `int` converter accepts any number of digits; on SQLite a number beyond
    64 bits is an OverflowError in the query (a 500) instead of a plain 404.
    """

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
