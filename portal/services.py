"""Writes that span several apps: erasing a person's data on request."""

from django.db import transaction

from portal.selectors import person_data
from roundtable.services import issue_erase_personal_data, member_erase_personal_data
from talent.services import talent_erase_personal_data


@transaction.atomic
def person_erase(*, number: str, actor, reason: str) -> dict:
    """Erases what the portal holds under a mobile or ID number; matters stay, their raiser's details go.

    Side effects: each matter's timeline records the erasure (internal, with the administrator and the
    reason); pending texts to the number are cancelled. Returns how many of each kind were erased.
    """
    found = person_data(number=number)
    for issue in found.issues:
        issue_erase_personal_data(issue=issue, actor=actor, reason=reason)
    for talent in found.talents:
        talent_erase_personal_data(talent=talent)
    for member in found.members:
        member_erase_personal_data(member=member)
    return {"issues": len(found.issues), "talents": len(found.talents), "members": len(found.members)}
