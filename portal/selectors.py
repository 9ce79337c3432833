"""Reads that gather from several apps: everything the portal holds about one person."""

from dataclasses import dataclass, field

from core.crypto import blind_index
from roundtable.models import Issue, RoundtableMember
from talent.models import Talent


@dataclass
class PersonData:
    """A person's data found by their mobile or ID number (PIPL access and erasure requests)."""

    number: str
    issues: list = field(default_factory=list)
    talents: list = field(default_factory=list)
    members: list = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.issues or self.talents or self.members)

    def as_dict(self) -> dict:
        """Plain data for the JSON and XLSX exports."""
        return {
            "number": self.number,
            "matters": [
                {
                    "number": issue.pk,
                    "village": issue.village.name,
                    "title": issue.title,
                    "description": issue.description,
                    "raised_at": issue.created_at.isoformat(),
                    "stage": str(issue.get_stage_display()),
                    "tracking_code": issue.tracking_code,
                    "name": issue.raiser_name,
                    "mobile": issue.raiser_mobile,
                    "consent_at": issue.consent_at.isoformat() if issue.consent_at else "",
                    "consent_version": issue.consent_version,
                    "has_photo": bool(issue.photo),
                }
                for issue in self.issues
            ],
            "talent_pool": [
                {
                    "village": talent.village.name,
                    "name": talent.name,
                    "birth_year": talent.birth_year,
                    "mobile": talent.mobile,
                    "id_number": talent.id_number,
                    "specialty": talent.specialty,
                    "consent_date": talent.consent_date.isoformat() if talent.consent_date else "",
                }
                for talent in self.talents
            ],
            "roundtable_seats": [
                {
                    "roundtable": str(member.roundtable),
                    "name": member.name,
                    "role": str(member.get_role_display()),
                    "mobile": member.mobile,
                    "email": member.email,
                }
                for member in self.members
            ],
        }


def person_data(*, number: str) -> PersonData:
    """What the portal holds under this mobile or ID number: matters raised, talent entries, seats.

    Matters and talents are found by keyed hash; roundtable members (a few hundred in a township, their
    numbers encrypted without a hash) are compared after decryption.
    """
    number = "".join(number.split()).upper()
    digest = blind_index(number)
    result = PersonData(number=number)
    if not digest:
        return result
    result.issues = list(
        Issue.objects.filter(raiser_mobile_hash=digest).select_related("village").order_by("created_at")
    )
    result.talents = list(
        Talent.objects.filter(mobile_hash=digest).select_related("village")
        | Talent.objects.filter(id_number_hash=digest).select_related("village")
    )
    result.members = [
        m
        for m in RoundtableMember.objects.exclude(mobile="").select_related("roundtable")
        if m.mobile == number
    ]
    return result
