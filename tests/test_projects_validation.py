"""Validation edges of the project registries: amounts, dates, confirmations, statuses, milestones, income."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import CollectiveIncome, Funding, Milestone, Project
from tests.factories_registries import (
    FundingFactory,
    PartnerFactory,
    ProjectFactory,
)
from tests.matching import constraint, reason

pytestmark = pytest.mark.django_db

BASE = {"name": "茶园观光", "category": "tourism", "status": "planning"}


def funding_post(lines):
    data = {
        "funding-TOTAL_FORMS": str(len(lines)),
        "funding-INITIAL_FORMS": "0",
        "funding-MIN_NUM_FORMS": "0",
        "funding-MAX_NUM_FORMS": "1000",
    }
    for i, line in enumerate(lines):
        for key, value in line.items():
            data[f"funding-{i}-{key}"] = value
    return data


def post_project(client, village, fields, lines):
    return client.post(
        reverse("projects:new", kwargs={"code": village.code}),
        {**BASE, "is_public": "on", **fields, **funding_post(lines)},
    )


# --- funding ------------------------------------------------------------------------------------


def test_funding_negative_amount_rejected_in_the_form(client, cadre, village):
    client.force_login(cadre)
    response = post_project(
        client, village, {}, [{"source": "fiscal", "amount_intended": "-5", "amount_landed": "0"}]
    )
    assert response.status_code == 200
    assert "金额不能为负数" in response.content.decode()
    assert not Project.objects.exists()


def test_funding_negative_amount_rejected_by_the_service_and_the_database(village):
    with pytest.raises(ValidationError, match=reason("Amounts cannot be negative.")):
        services.project_create(
            village=village, fundings=[{"source": "fiscal", "amount_intended": Decimal("-1")}], **BASE
        )
    assert not Project.objects.exists()
    project = ProjectFactory(village=village)
    with (
        pytest.raises(IntegrityError, match=constraint("funding_intended_not_negative")),
        transaction.atomic(),
    ):
        Funding.objects.create(project=project, source="fiscal", amount_intended=Decimal("-1"))


def test_funding_landed_above_intended_needs_confirmation(client, cadre, village):
    client.force_login(cadre)
    line = {"source": "social_capital", "amount_intended": "100000", "amount_landed": "150000"}
    response = post_project(client, village, {}, [line])
    assert response.status_code == 200
    assert "到位金额超出意向金额" in response.content.decode()
    assert not Project.objects.exists()

    response = post_project(client, village, {}, [{**line, "over_intended_confirmed": "on"}])
    assert response.status_code == 302
    funding = Funding.objects.get()
    assert (funding.amount_landed, funding.over_intended_confirmed) == (Decimal("150000"), True)


def test_funding_confirmation_is_dropped_when_not_above(village):
    project = services.project_create(
        village=village,
        fundings=[
            {
                "source": "fiscal",
                "amount_intended": Decimal("10"),
                "amount_landed": Decimal("10"),
                "over_intended_confirmed": True,
            }
        ],
        **BASE,
    )
    assert project.fundings.get().over_intended_confirmed is False


def test_funding_landed_above_intended_unconfirmed_refused_by_the_database(village):
    project = ProjectFactory(village=village)
    with (
        pytest.raises(IntegrityError, match=constraint("funding_landed_above_intended_confirmed")),
        transaction.atomic(),
    ):
        Funding.objects.create(
            project=project, source="fiscal", amount_intended=Decimal("1"), amount_landed=Decimal("2")
        )


def test_project_create_is_all_or_nothing(village):
    good = {"source": "fiscal", "amount_intended": Decimal("100"), "amount_landed": Decimal("50")}
    bad = {"source": "fiscal", "amount_intended": Decimal("100"), "amount_landed": Decimal("150")}
    with pytest.raises(
        ValidationError,
        match=reason("The landed amount is above the intended amount. Tick the box to confirm it is right."),
    ):
        services.project_create(village=village, fundings=[good, bad], **BASE)
    assert not Project.objects.exists()
    assert not Funding.objects.exists()


def test_funding_date_in_the_future_rejected(village):
    future = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError, match=reason("This date is in the future.")) as exc:
        services.project_create(village=village, fundings=[{"source": "fiscal", "date": future}], **BASE)
    assert "date" in exc.value.message_dict


def test_funding_line_of_another_project_cannot_be_edited(village):
    mine = ProjectFactory(village=village)
    theirs = FundingFactory()
    with pytest.raises(ValidationError, match=reason("A line does not belong to this project.")):
        services.project_update(project=mine, fundings=[{"id": theirs.pk, "amount_landed": Decimal("0")}])
    theirs.refresh_from_db()
    assert theirs.amount_landed == Decimal("600000.00")


# --- project dates, status, links ------------------------------------------------------------------


def test_project_dates_out_of_order_rejected(client, cadre, village):
    client.force_login(cadre)
    response = post_project(client, village, {"start_date": "2020-05-01", "end_date": "2020-04-30"}, [])
    assert response.status_code == 200
    assert "计划完成日期不能早于开始日期" in response.content.decode()
    assert not Project.objects.exists()
    response = post_project(client, village, {"start_date": "2020-05-01", "end_date": "2020-05-01"}, [])
    assert response.status_code == 302


def test_project_dates_constraint_in_the_database(village):
    with pytest.raises(IntegrityError, match=constraint("project_dates_in_order")), transaction.atomic():
        Project.objects.create(
            village=village,
            name="倒序",
            category="other",
            start_date=datetime.date(2020, 1, 2),
            end_date=datetime.date(2020, 1, 1),
        )


def test_project_name_unique_in_village(village):
    ProjectFactory(village=village, name="同名")
    with pytest.raises(ValidationError, match=constraint("project_unique_name_in_village")):
        services.project_create(village=village, **{**BASE, "name": "同名"})
    assert Project.objects.filter(name="同名").count() == 1


@pytest.mark.parametrize(
    ("old", "new", "ok"),
    [
        ("proposed", "planning", True),
        ("proposed", "approved", False),
        ("approved", "in_progress", True),
        ("in_progress", "completed", True),
        ("in_progress", "suspended", True),
        ("suspended", "in_progress", True),
        ("completed", "in_progress", False),
        ("planning", "proposed", False),
    ],
)
def test_project_status_moves(village, old, new, ok):
    project = ProjectFactory(village=village, status=old)
    if ok:
        services.project_update(project=project, status=new)
        project.refresh_from_db()
        assert project.status == new
    else:
        with pytest.raises(ValidationError, match=reason("A project cannot go from “%(old)s” to “%(new)s”.")):
            services.project_update(project=project, status=new)
        project.refresh_from_db()
        assert project.status == old


def test_project_links_must_stay_in_the_township(village, other_village):
    from tests.factories import TownshipFactory, VillageFactory

    elsewhere = TownshipFactory(code="elsewhere", name="别的镇")
    far_partner = PartnerFactory(township=elsewhere)
    far_village = VillageFactory(township=elsewhere)
    with pytest.raises(ValidationError, match=reason("Choose partners of the village's township.")):
        services.project_create(village=village, partners=[far_partner], **BASE)
    with pytest.raises(ValidationError, match=reason("Choose other villages of the same township.")):
        services.project_create(village=village, other_villages=[far_village], **BASE)
    with pytest.raises(ValidationError, match=reason("Choose a partner of the village's township.")):
        services.project_create(village=village, planning_partner=far_partner, **BASE)
    project = services.project_create(village=village, other_villages=[other_village], **BASE)
    assert list(project.other_villages.all()) == [other_village]


# --- milestones, land, income --------------------------------------------------------------------


def test_milestone_done_means_one_hundred_percent(village):
    project = ProjectFactory(village=village)
    with pytest.raises(ValidationError, match=reason("A milestone that is done is at 100%.")) as exc:
        services.project_milestones_save(
            project=project,
            milestones=[{"title": "完工", "done_date": datetime.date(2019, 1, 1), "progress": 80}],
        )
    assert "progress" in exc.value.message_dict
    assert not Milestone.objects.exists()


def test_milestone_due_before_the_project_starts_rejected(village):
    project = ProjectFactory(village=village, start_date=datetime.date(2018, 1, 1))
    with pytest.raises(ValidationError, match=reason("A milestone cannot be due before the project starts.")):
        services.project_milestones_save(
            project=project, milestones=[{"title": "早了", "due_date": datetime.date(2017, 12, 31)}]
        )
    services.project_milestones_save(
        project=project, milestones=[{"title": "准时", "due_date": datetime.date(2018, 1, 1)}]
    )
    assert project.milestones.count() == 1


def test_milestone_progress_above_one_hundred_rejected(client, cadre, village):
    project = ProjectFactory(village=village)
    client.force_login(cadre)
    response = client.post(
        reverse("projects:milestones", kwargs={"code": village.code, "pk": project.pk}),
        {
            "milestone-TOTAL_FORMS": "1",
            "milestone-INITIAL_FORMS": "0",
            "milestone-MIN_NUM_FORMS": "0",
            "milestone-MAX_NUM_FORMS": "1000",
            "milestone-0-title": "超了",
            "milestone-0-progress": "120",
            "milestone-0-order": "1",
        },
    )
    assert response.status_code == 200
    assert not Milestone.objects.exists()


def test_negative_area_rejected(village):
    with pytest.raises(ValidationError, match=reason("Areas cannot be negative.")) as exc:
        services.project_create(village=village, land_area_mu=Decimal("-1"), **BASE)
    assert "land_area_mu" in exc.value.message_dict
    with pytest.raises(ValidationError, match=reason("Areas cannot be negative.")):
        services.resource_save(village=village, name="山林", kind="natural", area_mu=Decimal("-0.5"))


def test_income_year_in_the_future_rejected_and_a_year_corrected(village):
    next_year = timezone.localdate().year + 1
    with pytest.raises(ValidationError, match=reason("This year has not begun yet.")):
        services.income_set(village=village, year=next_year, amount=Decimal("1"))
    with pytest.raises(ValidationError, match=reason("Amounts cannot be negative.")):
        services.income_set(village=village, year=2018, amount=Decimal("-1"))
    services.income_set(village=village, year=2018, amount=Decimal("50000"))
    services.income_set(village=village, year=2018, amount=Decimal("65000"), note="更正")
    income = CollectiveIncome.objects.get(village=village)
    assert (income.year, income.amount, income.note) == (2018, Decimal("65000"), "更正")


def test_income_form_corrects_an_existing_year(client, cadre, village):
    client.force_login(cadre)
    url = reverse("projects:income_village", kwargs={"code": village.code})
    assert client.post(url, {"year": "2018", "amount": "50000"}).status_code == 302
    assert client.post(url, {"year": "2018", "amount": "70000"}).status_code == 302
    assert CollectiveIncome.objects.get(village=village).amount == Decimal("70000")
    response = client.post(url, {"year": "2018", "amount": "-3"})
    assert response.status_code == 200
    assert CollectiveIncome.objects.get(village=village).amount == Decimal("70000")
