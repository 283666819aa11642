from django.core.management.base import BaseCommand

from inspections.reference import load_reference


class Command(BaseCommand):
    help = "Load departments, business types, tags and checklist items. Safe to run again."

    def handle(self, *args, **options) -> None:
        for label, counts in load_reference().items():
            self.stdout.write(
                f"{label}: {counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged"
            )
