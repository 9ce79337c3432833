"""The tracking page's steps and timeline, and the staff timeline's meetings, written in Python
(roundtable_tags.steps_bar, public_timeline, timeline_meeting; issue 13): the same HTML the templates wrote,
in both languages, every value escaped."""

# ruff: noqa: E501  (the templates as they were, verbatim)

import pytest
from django.template import engines
from django.test.html import parse_html
from django.urls import reverse
from django.utils import translation

from roundtable import selectors
from roundtable.models import Meeting, Roundtable, Stage
from roundtable.templatetags.roundtable_tags import public_timeline, steps_bar, timeline_meeting
from tests.factories import make_user
from tests.roundtable_helpers import advance, make_roundtable, raise_issue

pytestmark = pytest.mark.django_db

# The templates as they were (roundtable/_steps.html, roundtable/_timeline_meeting.html and the tracking
# page's timeline).
_STEPS = """{% load i18n %}<ol class="steps" aria-label="{% translate 'The six steps' %}">
  {% for step in steps %}
  <li class="step step-{{ step.state }}"{% if step.state == "current" %} aria-current="step"{% endif %}>
    <span class="step-no">{{ step.number }}</span>
    <span class="step-name" lang="zh-Hans">{{ step.hanzi }}</span>
    {% if step.label != step.hanzi %}<span class="step-label">{{ step.label }}</span>{% endif %}
    <span
      class="visually-hidden">
      {% if step.state == "done" %}{% translate "done" %}{% elif step.state == "current" %}{% translate "current step" %}{% elif step.state == "stopped" %}{% translate "stopped here" %}{% endif %}
    </span>
  </li>
  {% endfor %}
</ol>
"""
_MEETING = """{% load i18n %}{% with m=e.meeting %}
  <div class="timeline-meeting muted">
    {% if m.is_cancelled %}
      {% blocktranslate with rt=m.roundtable.name %}{{ rt }} meeting: cancelled{% endblocktranslate %}
    {% else %}
      {% blocktranslate with rt=m.roundtable.name t=m.starts_at|date:"Y-m-d H:i" place=m.place %}{{ rt }} meeting: {{ t }}, {{ place }}{% endblocktranslate %}
    {% endif %}
    {% if m.entered_afterwards %}
      <br>
      <span class="badge badge-warn">{% translate "entered afterwards" %}</span>
      {% blocktranslate with held=m.starts_at|date:"Y-m-d H:i" recorded=e.created_at|date:"Y-m-d H:i" %}held {{ held }}, recorded {{ recorded }}{% endblocktranslate %}
    {% endif %}
  </div>
{% endwith %}
"""
# The tracking page's timeline, which included _timeline_meeting.html for each entry with a meeting.
_TIMELINE = (
    """{% load i18n roundtable_tags %}<ol class="timeline">
    {% for e in timeline %}
    <li>
      <time datetime="{{ e.created_at|date:'c' }}">{{ e.created_at|date:"Y-m-d H:i" }}</time>
      {% if e.shows_stage %}{% stage_badge e.to_stage %}{% else %}<span class="badge badge-quiet">{{ e.get_kind_display }}</span>{% endif %}
      {% if e.public_note %}<span class="prewrap">{{ e.public_note }}</span>{% endif %}
      {% if e.meeting %}"""
    + _MEETING.removeprefix("{% load i18n %}")
    + """{% endif %}
    </li>
    {% endfor %}
  </ol>"""
)


def _render(source, **context):
    return engines["django"].from_string(source).render(context)


@pytest.fixture
def matters(village):
    cadre = make_user("cadre", village=village)
    roundtable = make_roundtable(village)
    Roundtable.objects.filter(pk=roundtable.pk).update(name='<b>"圆桌"</b> & 会')
    roundtable.refresh_from_db()
    issues = {
        stage: advance(
            raise_issue(village, title=f"<i>{stage}</i>"), stage, cadre=cadre, roundtable=roundtable
        )
        for stage in (Stage.RAISED, Stage.DELIBERATING, Stage.EXECUTING, Stage.CLOSED)
    }
    issues["rejected"] = advance(raise_issue(village), Stage.REJECTED, cadre=cadre)
    issues["withdrawn"] = advance(raise_issue(village), Stage.WITHDRAWN, cadre=cadre)
    # A meeting entered afterwards, and one cancelled, as the timelines name them.
    meetings = list(Meeting.objects.filter(roundtable=roundtable).order_by("pk"))
    Meeting.objects.filter(pk=meetings[0].pk).update(entered_afterwards=True, place="<村委会>")
    Meeting.objects.filter(pk=meetings[-1].pk).update(state=Meeting.State.CANCELLED)
    return issues


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_steps_and_public_timeline_are_what_the_templates_wrote(matters, language):
    kinds = set()
    with translation.override(language):
        for issue in matters.values():
            issue = selectors.public_issue_by_code(issue.tracking_code)
            timeline = selectors.public_issue_context(issue)["timeline"]
            steps = selectors.progress_steps(issue, timeline)
            assert parse_html(steps_bar(steps)) == parse_html(_render(_STEPS, steps=steps))
            new = public_timeline(timeline)
            assert parse_html(new) == parse_html(_render(_TIMELINE, timeline=timeline))
            for entry in timeline:
                if entry.meeting is not None:
                    old = _render(_MEETING, e=entry)
                    assert parse_html(timeline_meeting(entry)) == parse_html(old)
                    kinds.add("cancelled" if entry.meeting.is_cancelled else "held")
                    kinds.add("afterwards" if entry.meeting.entered_afterwards else "on time")
                kinds.add("note" if entry.public_note else "no note")
                kinds.add("stage" if entry.shows_stage else "kind")
    assert kinds == {"cancelled", "held", "afterwards", "on time", "note", "no note", "stage", "kind"}


def test_the_timeline_names_cancelled_and_afterwards_meetings_escaped(matters):
    issue = selectors.public_issue_by_code(matters[Stage.CLOSED].tracking_code)
    with translation.override("en"):
        html = public_timeline(selectors.public_issue_context(issue)["timeline"])
    assert "&lt;b&gt;&quot;圆桌&quot;&lt;/b&gt; &amp; 会 meeting:" in html
    assert "<b>" not in html and "<村委会>" not in html


def test_the_tracking_page_and_the_staff_page_show_them(client, matters, village):
    issue = matters[Stage.CLOSED]
    with translation.override("zh-hans"):
        found = selectors.public_issue_by_code(issue.tracking_code)
        context = selectors.public_issue_context(found)
        steps = steps_bar(selectors.progress_steps(found, context["timeline"]))
        timeline = public_timeline(context["timeline"])
    page = client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code})).content.decode()
    assert steps in page and timeline in page
    client.force_login(make_user("cadre", village=village))
    staff = client.get(reverse("roundtable:issue", kwargs={"code": village.code, "pk": issue.pk}))
    assert steps in staff.content.decode()
    assert 'class="timeline-meeting muted"' in staff.content.decode()
