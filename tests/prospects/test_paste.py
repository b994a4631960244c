from prospects.paste import parse_paste

# The manual's own example (PROSTEP, the lightning button), as printed, stray spaces included.
MANUAL_EXAMPLE = """PRENOM: Albert
NOM: RIGOLLAUD
SOCIETE: SOFAR and C°

EMAIL: contact@sofar.fr
 ADRESSE: 89 avenue des ternes
 VILLE: Paris
 PAYS: France
 CODEPOSTAL: 75017
 TELEPHONE: 0188334455
"""


def test_manual_example_fills_every_field():
    assert parse_paste(MANUAL_EXAMPLE) == {
        "first_name": "Albert",
        "last_name": "RIGOLLAUD",
        "company_name": "SOFAR and C°",
        "email": "contact@sofar.fr",
        "address": "89 avenue des ternes",
        "city": "Paris",
        "country": "France",
        "postal_code": "75017",
        "phone": "0188334455",
    }


def test_english_keys_any_case_accents_and_spaces_around_the_colon():
    text = "first name :  Zoé\r\nLast Name: Énard\r\nCompany:Acme\r\nE-Mail : Zoe@Acme.FR\r\nZip: 25000\r\nTown : Besançon\r\nMobile phone: 06 12 34 56 78\r\nTél. : 03 81 00 00 00"
    values = parse_paste(text)
    assert values["first_name"] == "Zoé"
    assert values["last_name"] == "Énard"
    assert values["company_name"] == "Acme"
    assert values["email"] == "zoe@acme.fr"
    assert values["postal_code"] == "25000"
    assert values["city"] == "Besançon"
    assert values["phone"] == "03 81 00 00 00"


def test_values_over_several_lines_and_unknown_keys_go_to_notes():
    text = "Prénom: Jean\nAdresse: 12 rue de la Paix\n  Bâtiment B\n\nMessage: Bonjour,\nje voudrais un devis.\nBudget: 20 000 €\nSite web: https://www.example.fr"
    values = parse_paste(text)
    assert values["address"] == "12 rue de la Paix Bâtiment B"
    assert values["website"] == "https://www.example.fr"
    assert values["notes"] == "Bonjour,\nje voudrais un devis.\nBudget: 20 000 €"


def test_civility_and_empty_text():
    assert parse_paste("Civilité: Madame\nNom: Durand")["civility"] == "Mme"
    assert parse_paste("") == {}
    assert parse_paste("just some words")["notes"] == "just some words"
