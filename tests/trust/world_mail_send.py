"""The mail-send part's records in the walk's world: an e-mail the other rep sent from their
prospect (the rep reads it through the prospect, but may not mark it private)."""

from mail.models import Message, MessageLink


def build(world) -> dict:
    message = Message.objects.create(
        message_id="<sent@walk.example>",
        direction=Message.Direction.SENT,
        source=Message.Source.JALON,
        subject="Their sent mail",
        from_address="jalon@walk.example",
        to=["client@walk.example"],
        owner=world.owner,
        filed=True,
    )
    MessageLink.objects.create(message=message, prospect=world.prospect)
    return {"sent_message": message}
