from django.core.management.base import BaseCommand, CommandError

from communeos.people.models import User
from communeos.people.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for an integration, acting as a staff account. The token is printed once."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The staff account the integration acts as")
        parser.add_argument("name", help="The integration's name, e.g. 'national public service portal'")

    def handle(self, *args, username, name, **options):
        person = User.objects.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(f"No active staff account named {username!r}.")
        token, raw = api_token_create(actor=None, person=person, name=name)
        self.stdout.write(f"Token for {token.name} (acts as {person.username}): {raw}")
        self.stdout.write("Send it as 'Authorization: Bearer <token>'. It is not stored and cannot be shown again.")
