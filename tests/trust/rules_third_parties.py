"""What a rep gets on another rep's third-party pages: the register look-up and the duplicates
page for everyone; bank details, merges and family representatives only on what the rep may
change (merging needs the right to change both records)."""

from tests.trust.test_url_walk import OK, Rule, change_form, change_post, page

RULES = {
    # Without `q` nothing is asked of the register (the walk makes no outside call).
    "company_lookup": page(),
    "duplicate_list": page(),
    "company_merge": change_form("company", data=lambda w: {"other": w.company.pk}),
    "person_merge": change_form("person", data=lambda w: {"other": w.person.pk}),
    "prospect_merge": change_form("prospect", data=lambda w: {"other": w.prospect.pk}),
    "bank_account_create": change_form(
        "company", data=lambda w: {"iban": "DE89370400440532013000"}
    ),
    "bank_account_edit": change_form("bank_account", data=lambda w: {"iban": w.bank_account.iban}),
    "bank_account_default": change_post("bank_account"),
    "bank_account_delete": change_post("bank_account"),
    # The card's panel: read by whoever sees the company; adding is for who may change it.
    "company_family_reps": Rule(
        get=OK,
        post=frozenset({403, 404}),
        obj="company",
        own_only_get=frozenset({404}),
        data=lambda w: {"family": w.family.pk, "user": w.owner.pk},
    ),
    "family_rep_delete": change_post("family_rep"),
}
