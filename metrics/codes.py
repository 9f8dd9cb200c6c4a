"""The indicator code convention, in one place: `QUESTION`, `QUESTION.OPTION`, `members` and `mileposts.*`.

Plain strings with no Django import, so that the disclosure audit and the report layout can share them.
"""

MEMBERS = "members"
MILEPOSTS_GROUP = "mileposts"
MILEPOSTS_PREFIX = MILEPOSTS_GROUP + "."
MILEPOSTS = MILEPOSTS_PREFIX + "advanced"
AREA_PREFIX = MILEPOSTS + "."  # `mileposts.advanced.<area>`
MILEPOSTS_MEMBERS_ADVANCING = MILEPOSTS_PREFIX + "members_advancing"
MILEPOSTS_PER_MEMBER = MILEPOSTS_PREFIX + "per_member"


def is_builtin(code: str) -> bool:
    """A code the indicators compute themselves (members, mileposts), not one read from the questionnaire."""
    return code == MEMBERS or code.startswith(MILEPOSTS_PREFIX)


def group_counts_members(group: str) -> bool:
    """Whether a chart group's figures are numbers of members (every group but the mileposts figures)."""
    return group != MILEPOSTS_GROUP


def option_code(code: str) -> str:
    """The option part of a `QUESTION.OPTION` code; empty for a whole-question code."""
    return code.partition(".")[2]
