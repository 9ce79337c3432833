"""The decisions board: tally, responsible role (never the name), due date, progress, evidence, rating,
filters, overdue marks; and its counts equal its lists."""

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from noticeboard.selectors import BOARD_FILTERS, decision_counts, decisions_board
from roundtable import workflow
from roundtable.models import Resolution, Stage
from tests.roundtable_helpers import advance, raise_issue


def _board(client, village, status=""):
    url = reverse("noticeboard:decisions", kwargs={"code": village.code})
    return client.get(url + (f"?status={status}" if status else "")).text


def test_board_shows_tally_role_and_due_date_not_the_persons_name(client, village, cadre):
    cadre.display_name = "陈建国主任"
    cadre.save()
    advance(raise_issue(village, title="修复村道路灯"), Stage.DECIDED, cadre=cadre)
    html = _board(client, village)
    assert "修复村道路灯" in html and "同意修复" in html
    assert "village cadre" in html or "村干部" in html
    assert "陈建国主任" not in html


def test_board_marks_overdue_and_filters_them(client, village, cadre):
    issue = advance(raise_issue(village, title="逾期的事"), Stage.EXECUTING, cadre=cadre)
    Resolution.objects.filter(issue=issue).update(due_date=timezone.localdate() - datetime.timedelta(days=3))
    advance(raise_issue(village, title="按期的事"), Stage.EXECUTING, cadre=cadre)
    html = _board(client, village, "overdue")
    assert "逾期的事" in html and "按期的事" not in html
    assert "badge-warn" in html


def test_board_shows_public_completion_evidence_and_rating_once_closed(client, village, cadre, supervisor):
    issue = advance(raise_issue(village, title="清理水渠"), Stage.EXECUTING, cadre=cadre)
    workflow.issue_report_done(issue=issue, actor=cadre, note="水渠已清理，附照片", note_public=True)
    workflow.issue_confirm(issue=issue, supervisor=supervisor)
    workflow.issue_rate(issue=issue, score=4)
    html = _board(client, village, "done")
    assert "水渠已清理" in html and "4/5" in html


def test_board_hides_internal_completion_note(client, village, cadre):
    issue = advance(raise_issue(village, title="清理水渠"), Stage.EXECUTING, cadre=cadre)
    workflow.issue_report_done(issue=issue, actor=cadre, note="内部：费用超支两千")
    assert "费用超支" not in _board(client, village)


def test_board_counts_equal_list_lengths_for_every_filter(client, village, cadre, supervisor):
    advance(raise_issue(village, title="甲"), Stage.DECIDED, cadre=cadre)
    advance(raise_issue(village, title="乙"), Stage.EXECUTING, cadre=cadre)
    advance(raise_issue(village, title="丙"), Stage.SUPERVISING, cadre=cadre)
    advance(raise_issue(village, title="丁"), Stage.CLOSED, cadre=cadre, supervisor=supervisor)
    late = advance(raise_issue(village, title="戊"), Stage.EXECUTING, cadre=cadre)
    Resolution.objects.filter(issue=late).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    counts = decision_counts(village=village)
    assert counts["all"] == 5 and counts["overdue"] == 1 and counts["in_progress"] == 2
    for status in BOARD_FILTERS:
        html = _board(client, village, status)
        assert (
            html.count('class="card decision')
            == counts[status]
            == decisions_board(village=village, status=status).count()
        )
        shown = re.search(rf'href="\?status={status}"[^>]*>[^<]*<span class="count">(\d+)</span>', html)
        assert int(shown.group(1)) == counts[status]


def test_board_of_unknown_village_is_404(client, village):
    assert client.get(reverse("noticeboard:decisions", kwargs={"code": "nowhere"})).status_code == 404


def test_board_bad_status_shows_everything(client, village, cadre):
    advance(raise_issue(village, title="甲"), Stage.DECIDED, cadre=cadre)
    assert "甲" in _board(client, village, "<script>")
