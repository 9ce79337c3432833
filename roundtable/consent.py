"""The consent wording residents agree to, versioned: each matter keeps the version its raiser saw.

A new wording gets a new version key (never edit an old one); CURRENT names the one the forms show.
"""

from django.utils.translation import gettext_lazy as _

WORDINGS = {
    "2026-12": _(
        "I agree that the village's cadres store my name and number to handle this matter and contact me."
    ),
}
CURRENT = "2026-12"
# What the cadre confirms when logging a matter for a resident (same version key).
CADRE_WORDINGS = {
    "2026-12": _("The resident agreed that we store their name and number for this matter."),
}
