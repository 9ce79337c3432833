"""The one way personal numbers (mobiles, ID numbers) are masked, on pages, in exports and in logs.

Only the first three and last four characters are shown, and only when at least four stay hidden: a
shorter value (a mistyped mobile, a partial ID) is hidden whole, since showing seven of its characters
would give it away.
"""

SHOWN_HEAD = 3
SHOWN_TAIL = 4
MIN_HIDDEN = 4


def mask(value: str | None) -> str:
    """138****5678 for a mobile, 350***********123X for an ID number; all stars when too short."""
    if not value:
        return ""
    value = str(value)
    hidden = len(value) - SHOWN_HEAD - SHOWN_TAIL
    if hidden < MIN_HIDDEN:
        return "*" * len(value)
    return f"{value[:SHOWN_HEAD]}{'*' * hidden}{value[-SHOWN_TAIL:]}"


def mask_mobile(value: str | None) -> str:
    """A mobile number masked: 138****5678."""
    return mask(value)


def mask_id(value: str | None) -> str:
    """An ID number masked: 350***********123X."""
    return mask(value)
