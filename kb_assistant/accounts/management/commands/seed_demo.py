from django.core.management.base import BaseCommand

from kb_assistant.accounts.demo import demo_setup


class Command(BaseCommand):
    help = "Create the demo groups and users (idempotent) and print their logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="kb-demo-2026")

    def handle(self, *args, password: str, **options):
        for demo in demo_setup(password=password):
            self.stdout.write(f"  {demo.username:<8} / {password}   {demo.role}")
