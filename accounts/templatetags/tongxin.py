from django import template

from accounts.models import Membership

register = template.Library()


@register.filter
def role_label(role: str) -> str:
    """The translated label of a membership role code."""
    return Membership.Role(role).label if role in Membership.Role.values else role
