"""Reading an import file line by line so that no row can hide inside another, and folding names so that
organisations that look alike are recognised.

`csv_records` yields one record at a time from a binary file (memory stays flat in the file's size) with the
line it starts on and how many physical lines it spans. A quoted cell that runs across lines is legitimate
only for a text answer, so the caller decides; a quote that is never closed, bytes that are not UTF-8 and
malformed quoting stop the reading with a `ReadError` naming the line (and byte) where the trouble starts.
"""

import csv
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import confusables

EXCERPT = 60


class ReadError(Exception):
    """The file cannot be read on from `line`; `message` says why in the user's words."""

    def __init__(self, line: int, message: str):
        self.line, self.message = line, message
        super().__init__(f"line {line}: {message}")


@dataclass
class Record:
    line: int  # where the record starts
    fields: list[str]
    lines: list[str]  # its physical lines, for excerpts and for checking what a multi-line cell swallowed

    @property
    def spans_lines(self) -> bool:
        return len(self.lines) > 1


def excerpt(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


class _Lines:
    """Decoded physical lines of a binary file; remembers the lines of the record being read."""

    def __init__(self, binary: BinaryIO):
        self.source = iter(binary)
        self.number = 0
        self.current: list[str] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        raw = next(self.source)
        self.number += 1
        if self.number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ReadError(
                self.number,
                f"byte {error.start + 1} of this line is not UTF-8 text (0x{raw[error.start]:02x}). Save the "
                "file as “CSV UTF-8” from your spreadsheet and import it again.",
            ) from error
        self.current.append(text)
        return text


def csv_records(binary: BinaryIO) -> Iterator[Record]:
    """Every CSV record of the file in order (the header first), or ReadError where reading must stop."""
    lines = _Lines(binary)
    reader = csv.reader(lines, strict=True)
    while True:
        start = lines.number + 1
        lines.current = []
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            opened = lines.current[0] if lines.current else ""
            if (
                len(lines.current) > 1
                or "field larger than field limit" in str(error)
                or "end of data" in str(error)
            ):
                raise ReadError(
                    start,
                    f'a quote mark (") opened on this line is never closed: “{excerpt(opened)}”. Close the '
                    "quote (or remove it) and import again.",
                ) from error
            raise ReadError(
                start,
                f"the quote marks on this line are not where CSV expects them: “{excerpt(opened)}”. A cell "
                'that contains a quote must be quoted as a whole, with the quote doubled ("").',
            ) from error
        if fields:
            yield Record(line=start, fields=fields, lines=lines.current)


def looks_like_a_row(line: str, *, columns: int, year_index: int) -> bool:
    """Whether a line swallowed into a multi-line cell reads like a row of the file (a quote left open)."""
    parts = line.split(",")
    return (
        len(parts) >= columns and parts[year_index].strip().isdigit() and len(parts[year_index].strip()) == 4
    )


# --- Names ----------------------------------------------------------------------------------------------


def name_clean(name: str) -> str:
    """A name as stored: NFKC-normalised (no-break spaces, composed accents) with single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def name_key(name: str) -> str:
    """Two names with the same key are the same organisation (case and Unicode form do not matter)."""
    return name_clean(name).casefold()


def name_skeleton(name: str) -> str:
    """Two names with the same skeleton look alike on screen (Cyrillic “А” and Latin “A”, say)."""
    folded = []
    for char in name_key(name):
        if char.isascii():
            folded.append(char)
            continue
        # Letters before digits: Cyrillic "о" and "е" are also confusable with "0" and "3", but a name
        # spelt with them reads "o" and "e".
        candidates = sorted(
            (
                c.lower()
                for c in confusables.confusable_characters(char) or []
                if len(c) == 1 and c.isascii() and c.isalnum()
            ),
            key=lambda c: (c.isdigit(), c),
        )
        folded.append(candidates[0] if candidates else char)
    return "".join(folded)


def name_difference(name: str, other: str) -> str:
    """Where two look-alike names differ, for the message: 'character 1 is “А” (CYRILLIC CAPITAL LETTER A)'."""
    cleaned = name_clean(name)
    for position, (mine, theirs) in enumerate(zip(cleaned, name_clean(other), strict=False), start=1):
        if mine.casefold() != theirs.casefold():
            return f"character {position} is “{mine}” ({unicodedata.name(mine, 'an unnamed character')})"
    return "they differ in length"
