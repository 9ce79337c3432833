"""Writes about users."""

from accounts.models import User


def user_update_profile(*, user: User, display_name: str, mobile: str, language: str) -> User:
    """Saves the user's own profile fields."""
    user.display_name = display_name
    user.mobile = mobile
    user.language = language
    user.full_clean()
    user.save(update_fields=["display_name", "mobile", "language"])
    return user
