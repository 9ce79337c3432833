"""Writes about users."""

from accounts.models import User


def user_update_profile(
    *,
    user: User,
    display_name: str,
    mobile: str,
    language: str,
    notify_by_email: bool | None = None,
    notify_by_sms: bool | None = None,
) -> User:
    """Saves the user's own profile fields; the channel choices only when given."""
    user.display_name = display_name
    user.mobile = mobile
    user.language = language
    fields = ["display_name", "mobile", "language"]
    if notify_by_email is not None:
        user.notify_by_email = notify_by_email
        fields.append("notify_by_email")
    if notify_by_sms is not None:
        user.notify_by_sms = notify_by_sms
        fields.append("notify_by_sms")
    user.full_clean()
    user.save(update_fields=fields)
    return user
