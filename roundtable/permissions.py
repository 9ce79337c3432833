"""Who may do what with issues, roundtables and meetings. Forbidden and missing both answer 404."""

from django.http import Http404

from accounts.models import Membership
from accounts.selectors import scope_for
from roundtable.models import Issue, Meeting, Roundtable

Role = Membership.Role


def _roles(user, village) -> frozenset[str]:
    return scope_for(user).roles_in(village)


def can_view_issue(user, issue: Issue) -> bool:
    """Anyone holding a role in the issue's village, and the township's officials."""
    return bool(_roles(user, issue.village))


def can_manage_issue(user, issue: Issue) -> bool:
    """Village cadres run the six steps of their own village's issues."""
    return Role.CADRE in _roles(user, issue.village)


def can_see_raiser(user, issue: Issue) -> bool:
    """The raiser's name and number are for the village's cadres only (and never when anonymous)."""
    return can_manage_issue(user, issue) and not issue.is_anonymous


def can_search_raisers(user, village) -> bool:
    """Finding a matter by its raiser's name or mobile number: the village's cadres, who see raisers."""
    return Role.CADRE in _roles(user, village)


def villages_where_raiser_visible(user) -> frozenset[int]:
    """The bulk form of can_see_raiser, for exports of many issues: the villages whose raisers the user may
    see (anonymous issues still never show one)."""
    return frozenset(vid for vid, roles in scope_for(user).village_roles.items() if Role.CADRE in roles)


def can_see_tracking_code(user, issue: Issue) -> bool:
    """The tracking code lets its holder withdraw the matter and rate it as the raiser: the village's
    cadres hand it to the resident; members, supervisors and officials never see it."""
    return can_manage_issue(user, issue)


def can_record_opinion(user, issue: Issue) -> bool:
    """Cadres and roundtable members of the village (at which stages: ``workflow.ACTIVITIES``)."""
    return bool(_roles(user, issue.village) & {Role.CADRE, Role.MEMBER})


def can_start_work(user, issue: Issue) -> bool:
    """Step 4 → 5: the responsible person or a cadre."""
    return can_manage_issue(user, issue) or (
        issue.responsible_id is not None and issue.responsible_id == user.pk
    )


def can_report_work(user, issue: Issue) -> bool:
    """Progress and completion: the responsible person or a cadre."""
    return can_start_work(user, issue)


def can_supervise_issue(user, issue: Issue) -> bool:
    """Step 6 verdicts: the village's supervisors, but never on work they were responsible for."""
    return Role.SUPERVISOR in _roles(user, issue.village) and issue.responsible_id != user.pk


def can_comment_issue(user, issue: Issue) -> bool:
    """Cadres and township officials leave comments on the timeline."""
    return bool(_roles(user, issue.village) & {Role.CADRE, Role.OFFICIAL})


def can_escalate_issue(user, issue: Issue) -> bool:
    """Township officials escalate."""
    return Role.OFFICIAL in _roles(user, issue.village)


def can_view_meeting(user, meeting: Meeting) -> bool:
    return bool(_roles(user, meeting.roundtable.village))


def can_manage_meeting(user, meeting: Meeting) -> bool:
    return Role.CADRE in _roles(user, meeting.roundtable.village)


def can_manage_roundtable(user, roundtable: Roundtable) -> bool:
    return Role.CADRE in _roles(user, roundtable.village)


def access_issue(user, village, pk) -> Issue:
    """The issue of this village if the user may see it; Http404 when missing or forbidden."""
    # get(), not first(): no ORDER BY, which Django compiles by hashing each selected column (issue 13).
    try:
        issue = Issue.objects.select_related("group", "responsible", "merged_into").get(
            village=village, pk=pk
        )
    except Issue.DoesNotExist:
        raise Http404 from None
    issue.village = village  # the one given (read with its township): not joined a second time
    if not can_view_issue(user, issue):
        raise Http404
    return issue


def access_meeting(user, village, pk) -> Meeting:
    """The meeting of a roundtable of this village if the user may see it; Http404 otherwise."""
    meeting = (
        Meeting.objects.select_related("roundtable__village__township", "roundtable__group", "chair")
        .filter(roundtable__village=village, pk=pk)
        .first()
    )
    if meeting is None or not can_view_meeting(user, meeting):
        raise Http404
    return meeting


def access_roundtable(user, village, pk) -> Roundtable:
    """The roundtable of this village if the user may see it; Http404 otherwise."""
    roundtable = (
        Roundtable.objects.select_related("village", "group", "liaison")
        .filter(village=village, pk=pk)
        .first()
    )
    if roundtable is None or not _roles(user, roundtable.village):
        raise Http404
    return roundtable
