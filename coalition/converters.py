"""URL converters shared by the apps."""


class YearConverter:
    """A survey or figures year in URLs: four digits, 2000–2099, so any other "year" is a 404 before a view
    (or a database lock taking a 32-bit number) ever sees it."""

    regex = "20[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return f"{int(value):04d}"
