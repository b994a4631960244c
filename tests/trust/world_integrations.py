"""The integrations' records in the URL walk's world: a webhook and a web form (managers'
configuration, owned by no rep)."""

from integrations.models import WebForm, Webhook


def build(world) -> dict:
    webhook = Webhook.objects.create(
        name="Their hook",
        url="https://hooks.example.com/jalon",
        events=["prospect.created"],
        owner=world.owner,
    )
    web_form = WebForm.objects.create(
        name="Their form",
        fields=[{"name": "email", "required": True}],
        process=world.process,
        owner=world.owner,
    )
    return {"webhook": webhook, "web_form": web_form}
