"""The api part's records in the walk's world: a personal token of the other rep."""

from api import services


def build(world) -> dict:
    token, _secret = services.token_create(
        user=world.owner, name="Their sync", read_only=False, actor=world.owner
    )
    return {"api_token": token}
