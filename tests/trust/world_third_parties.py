"""The other rep's bank details and representative by product family, for the walk over the
third-party pages (contacts.banking, catalogue.reps)."""

from catalogue.models import ProductFamily
from catalogue.reps import FamilyRep
from contacts.banking import bank_account_create


def build(world) -> dict:
    account = bank_account_create(
        company=world.company, actor=world.owner, data={"iban": "FR7630006000011234567890189"}
    )
    family = ProductFamily.objects.create(name="Zq family")
    family_rep = FamilyRep.objects.create(company=world.company, family=family, user=world.owner)
    return {"bank_account": account, "family_rep": family_rep, "family": family}
