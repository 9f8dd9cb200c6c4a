"""The coalition report's structure as data: which groups each public page shows, in what order, and how.

Labels and values come from the published release; this module holds only what a reader needs around
them: the page a group belongs to, a short explanation, and the sentence a person would quote.
"""

from dataclasses import dataclass

from surveys.models import Area, Option

from . import codes
from .codes import AREA_PREFIX
from .disclosure.rules import WITHHELD


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    explanation: str
    # What members reported, completing "In 2025, 37 of 57 members reported …"; {label} is the figure's label.
    phrase: str = "using {label}"
    # A yes/no question's one figure is labelled with its question; charts and tables show this instead.
    yes_label: str = ""


@dataclass(frozen=True)
class Page:
    code: str
    title: str
    intro: str
    groups: tuple[Group, ...]


PAGES: tuple[Page, ...] = (
    Page(
        "prevention",
        "Prevention",
        "Measures that stop abuse before it happens: building safety into products, deterring harmful "
        "behaviour and knowing how old users are.",
        (
            Group(
                "safety_by_design",
                "Safety by design",
                "Safety by design means anticipating and reducing risks to children while a product or feature "
                "is designed, before it launches.",
                phrase="having {label}",
            ),
            Group(
                "deterrence",
                "Deterrence",
                "Deterrence measures discourage people from seeking or sharing abuse material and warn those at "
                "risk.",
            ),
            Group(
                "age_assurance",
                "Age assurance",
                "Age assurance covers any way of establishing or estimating a user's age, from a stated date of "
                "birth to an identity document check.",
            ),
        ),
    ),
    Page(
        "detection",
        "Detection",
        "Tools that find child sexual abuse material and abusive behaviour: hash matching for known material "
        "and classifiers for new material and behaviours.",
        (
            Group(
                "image_hashing",
                "Image hashing",
                "Hash matching compares a digital fingerprint of an image with fingerprints of material already "
                "confirmed as child sexual abuse.",
            ),
            Group(
                "internal_hashing_shared",
                "In-house hash sharing",
                "Members that build their own hashing system can share the hashes it generates with other "
                "companies or the clearinghouse, so the same material is found on other services too.",
                phrase="sharing the hashes of their own hashing systems",
                yes_label="Share hashes from their own system",
            ),
            Group(
                "video_hashing",
                "Video hashing",
                "Video hashing does the same for video, which needs its own tools.",
            ),
            Group(
                "classifiers",
                "Classifiers",
                "Classifiers are trained models that flag previously unseen material and behaviours such as "
                "grooming or sextortion for review.",
                phrase="using classifiers for {label}",
            ),
        ),
    ),
    Page(
        "response",
        "Response",
        "What members do once abuse is found: acting against accounts, reporting to the authorities and "
        "being open about it.",
        (
            Group(
                "enforcement_tools",
                "Enforcement tools",
                "The actions a member can take against an account or content that breaks its child-safety rules.",
                phrase="{label} among the actions they can take",
            ),
            Group(
                "authority_reporting",
                "Reporting to authorities",
                "How members file reports to the national clearinghouse (NCMEC's CyberTipline in the US): "
                "through its reporting API, its web form, or both.",
                phrase="filing reports to the authorities: {label}",
            ),
            Group(
                "supplemental_reports",
                "Supplemental reports",
                "Whether members send additional information to the authorities after a first report.",
                phrase="sending supplemental reports",
                yes_label="Send supplemental reports",
            ),
            Group(
                "in_product_reporting",
                "In-product reporting",
                "Whether users can report child sexual exploitation or abuse directly from within the product, "
                "where they meet it.",
                phrase="letting users report abuse from within their product",
                yes_label="Users can report from within the product",
            ),
            Group(
                "trust_framework",
                "Trust framework alignment",
                "The Trust framework (2022) is the coalition's voluntary template for transparency reports.",
                phrase="being {label} with the Trust framework",
            ),
            Group(
                "transparency_report_published",
                "Transparency reports",
                "Whether members published a transparency report covering child safety during the survey year.",
                phrase="publishing a transparency report covering child safety",
                yes_label="Published a transparency report",
            ),
        ),
    ),
)

PAGES_BY_CODE: dict[str, Page] = {page.code: page for page in PAGES}
GROUPS_BY_CODE: dict[str, Group] = {group.code: group for page in PAGES for group in page.groups}
PAGE_OF_GROUP: dict[str, Page] = {group.code: page for page in PAGES for group in page.groups}

# Codes of the overview's headline and its chart of mileposts by area.
AREAS = tuple(Area.choices)
MILEPOST_AREA_CODES = tuple((AREA_PREFIX + area, label) for area, label in AREAS)


def shown_withheld() -> str:
    """How every withheld figure reads, whatever the reason it is withheld (see docs/disclosure.md)."""
    return WITHHELD


def format_number(value) -> str:
    """37 for whole numbers, 5.6 otherwise; never "37.0"."""
    if value is None:
        return ""
    if value == int(value):
        return str(int(value))
    return f"{value:.1f}"


def count_phrase(*, value, suppressed: bool, denominator: int | None, threshold: int) -> str:
    """'37 of 57 members', 'a withheld number of the 57 members', or '13 members' without a denominator.

    The denominator is the members who were asked the question and answered it (docs/disclosure.md)."""
    if suppressed:
        return (
            f"a withheld number of the {denominator} members"
            if denominator
            else "a withheld number of members"
        )
    count = format_number(value)
    if denominator:
        return f"{count} of {denominator} members"
    return f"{count} members"


def quotable_sentence(
    *, year: int, group: Group, label: str, value, suppressed: bool, denominator: int | None, threshold: int
) -> str:
    """The sentence a person would quote: 'In 2025, 37 of 57 members reported using PhotoDNA.'"""
    phrase = count_phrase(value=value, suppressed=suppressed, denominator=denominator, threshold=threshold)
    return f"In {year}, {phrase} reported {group.phrase.format(label=_in_sentence(label))}."


def _in_sentence(label: str) -> str:
    return label[:1].lower() + label[1:] if _lower_ok(label) else label


def _lower_ok(label: str) -> bool:
    """Lower-case the first letter of ordinary words, never of names ('PhotoDNA', 'Thorn's Safer', 'PDQ')."""
    first = label.split(" ", 1)[0]
    return first[:1].isupper() and first[1:].islower() and first not in _PROPER_NAMES


_PROPER_NAMES = {"Microsoft", "Thorn's", "Google", "Google's", "Meta", "Meta's", "Trust", "Safer", "Thorn"}


def change_in_words(*, current, previous, previous_year: int) -> str:
    """'more than double 2024', 'up 20% on 2024', 'down 5% on 2024', 'the same as 2024'."""
    if previous in (None, 0) or current is None:
        return ""
    ratio = float(current) / float(previous)
    for factor, word in ((4, "quadruple"), (3, "triple"), (2, "double")):
        if ratio > factor:
            return f"more than {word} {previous_year}"
        if ratio == factor:
            return f"{word} {previous_year}"
    percent = round((ratio - 1) * 100)
    if percent > 0:
        return f"up {percent}% on {previous_year}"
    if percent < 0:
        return f"down {-percent}% on {previous_year}"
    return f"the same as {previous_year}"


@dataclass(frozen=True)
class Row:
    """One published figure as every output shows it: chart, table, sentence, CSV and API."""

    code: str
    label: str
    value: float | None
    denominator: int | None
    suppressed: bool
    threshold: int
    is_imported: bool = False

    @property
    def shown(self) -> str:
        """'37', 'withheld', or '' when not published."""
        return WITHHELD if self.suppressed else format_number(self.value)

    @property
    def of_members(self) -> str:
        return count_phrase(
            value=self.value,
            suppressed=self.suppressed,
            denominator=self.denominator,
            threshold=self.threshold,
        )


def bar_label(group: str, code: str, label: str) -> str:
    """The label a figure is shown with: a yes/no question's figure (code == group) gets its group's short
    label, so no chart or table uses a whole question as a label."""
    known = GROUPS_BY_CODE.get(group)
    return known.yes_label if known and known.yes_label and code == group else label


def row_from(value, *, threshold: int) -> Row:
    """A Row from a ReleaseValue (or anything with the same attributes)."""
    return Row(
        code=value.code,
        label=bar_label(getattr(value, "group", ""), value.code, value.label),
        value=None if value.value is None else float(value.value),
        denominator=value.denominator,
        suppressed=value.suppressed,
        threshold=threshold,
        is_imported=value.is_imported,
    )


def group_title(code: str) -> str:
    group = GROUPS_BY_CODE.get(code)
    return group.title if group else code.replace("_", " ").replace(".", " ").capitalize()


def group_sentence(*, year: int, group: Group, rows: list[Row]) -> str:
    """The quotable sentence for a group: its most common published answer other than 'none'."""
    candidates = [
        row
        for row in rows
        if codes.option_code(row.code) != Option.EXCLUSIVE_CODE and not row.suppressed and row.value
    ]
    if not candidates:
        return ""
    top = max(candidates, key=lambda row: row.value)
    return quotable_sentence(
        year=year,
        group=group,
        label=top.label,
        value=top.value,
        suppressed=False,
        denominator=top.denominator,
        threshold=top.threshold,
    )
