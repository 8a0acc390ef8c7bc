"""``tumbuh expire_orders``: cancel the orders left unpaid past their payment method's hold.

Run it every few minutes (cron or a systemd timer, docs/stores-orders.md): each run cancels what
has become due since the last one, and a run with nothing due changes nothing.
"""

from django.core.management.base import BaseCommand

from tumbuh.accounts.services import system_actor
from tumbuh.core.money import thousands
from tumbuh.stores.services.orders import expire_unpaid_orders


class Command(BaseCommand):
    help = (
        "Cancel the orders awaiting payment for longer than TUMBUH_PAYMENT_HOLD_MINUTES allows "
        "for their payment method, putting their stock back on sale."
    )

    def handle(self, *args, **options):
        expired = expire_unpaid_orders(by=system_actor())
        self.stdout.write(f"{thousands(expired)} unpaid orders expired")
