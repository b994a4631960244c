"""The mail-capture part's records in the walk's world: a captured message of the other rep,
filed on their prospect (the rep sees it through the prospect, but may not file, delete or
set it aside)."""

from mail.models import Message, MessageLink


def build(world) -> dict:
    message = Message.objects.create(
        message_id="<captured@walk.example>",
        direction=Message.Direction.RECEIVED,
        source=Message.Source.MAILBOX,
        subject="Their captured mail",
        from_address="client@walk.example",
        owner=world.owner,
        filed=True,
    )
    MessageLink.objects.create(message=message, prospect=world.prospect)
    return {"captured_message": message}
