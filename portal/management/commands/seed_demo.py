"""seed_demo lives in portal, the top layer: the one place that composes every app's demo data."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo as account_demo
from noticeboard import demo as noticeboard_demo
from notifications import services as notification_services
from projects import demo as project_demo
from roundtable import demo as roundtable_demo
from roundtable import demo_history
from talent import demo as talent_demo
from villages import demo as village_demo


class Command(BaseCommand):
    help = (
        "Loads the 洛江区 demo data (罗溪镇 in full, 河市镇 and 马甲镇 in brief) and accounts. "
        "Idempotent: running it twice changes no counts."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            township = village_demo.seed(stdout=self.stdout)
            others = village_demo.seed_district(stdout=self.stdout)
            account_demo.seed(township, stdout=self.stdout)
            # The demo's back-dated history must not send messages; upcoming meetings still get reminders.
            with notification_services.muted():
                roundtable_demo.seed(township, stdout=self.stdout)
                demo_history.seed(township, stdout=self.stdout)
                for other in others:
                    roundtable_demo.seed(other, stdout=self.stdout)
            notification_services.meeting_reminders_sweep()
            project_demo.seed(township, stdout=self.stdout)
            talent_demo.seed(township, stdout=self.stdout)
            with notification_services.muted():
                noticeboard_demo.seed(township, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        self.stdout.write(f"Demo accounts (password {account_demo.DEMO_PASSWORD}):")
        for email, _name, role, village, superuser in account_demo.ACCOUNTS:
            what = "administrator" if superuser else f"{role}{' of ' + village if village else ''}"
            self.stdout.write(f"  {email:28} {what}")
