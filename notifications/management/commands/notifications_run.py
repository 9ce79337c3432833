"""Runs the notification sweeps and the sender once, or every minute with --loop.

For the embedded default (no REDIS_URL, so no beat): `python manage.py notifications_run --loop`, or cron
`notifications_run` every minute. With Redis, Celery beat does the same.
"""

import time

from django.core.management.base import BaseCommand

from notifications import services


class Command(BaseCommand):
    help = "Write missing meeting reminders, overdue reminders and the weekly digest, then send what is due."

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Repeat every --interval seconds.")
        parser.add_argument("--interval", type=int, default=60)

    def handle(self, *args, loop=False, interval=60, **options):
        while True:
            written = services.meeting_reminders_sweep() + services.overdue_sweep() + services.digest_sweep()
            sent = services.outbox_send_due()
            self.stdout.write(f"written {written}, sent {sent}")
            if not loop:
                return
            time.sleep(interval)
