"""What makes the demo look like a French sales team's file: real towns with their postal
codes (each one in `contacts.PostalCode`), company names of small French businesses, the
projects a rep writes on an opportunity, phone numbers of the town's region and addresses of
the company's own domain. Everything is drawn from a seeded `random.Random`, so that every
run of `seed_demo` gives the same data."""

from __future__ import annotations

import random
from dataclasses import dataclass

import phonenumbers

from contacts.text import compact

# (postal code, town) as the postal table spells them; the region's phone prefix follows
# from the code (`region_prefix`).
TOWNS = [
    ("35000", "Rennes"),
    ("35400", "Saint-Malo"),
    ("35500", "Vitré"),
    ("35300", "Fougères"),
    ("44000", "Nantes"),
    ("44600", "Saint-Nazaire"),
    ("49000", "Angers"),
    ("49300", "Cholet"),
    ("56000", "Vannes"),
    ("56100", "Lorient"),
    ("29200", "Brest"),
    ("29000", "Quimper"),
    ("22000", "Saint-Brieuc"),
    ("53000", "Laval"),
    ("72000", "Le Mans"),
    ("14000", "Caen"),
    ("76000", "Rouen"),
    ("37000", "Tours"),
    ("45000", "Orléans"),
    ("86000", "Poitiers"),
    ("17000", "La Rochelle"),
    ("79000", "Niort"),
    ("33000", "Bordeaux"),
    ("64000", "Pau"),
    ("31000", "Toulouse"),
    ("34000", "Montpellier"),
    ("38000", "Grenoble"),
    ("74000", "Annecy"),
    ("21000", "Dijon"),
    ("67000", "Strasbourg"),
    ("59000", "Lille"),
    ("51100", "Reims"),
]

STREETS = [
    "rue de la République",
    "avenue Jean Jaurès",
    "rue du Général de Gaulle",
    "rue Pasteur",
    "boulevard Victor Hugo",
    "rue de la Gare",
    "place de la Mairie",
    "rue des Artisans",
    "rue de l’Industrie",
    "avenue de la Libération",
    "rue Gustave Eiffel",
    "chemin des Vignes",
    "rue du Stade",
    "rue Nationale",
    "allée des Érables",
    "rue Ampère",
]
BUSINESS_PARKS = ["ZA du Bois Vert", "ZI Nord", "Parc d’activités de la Lande", "ZA des Landelles"]

# A company's trade by the sector of the demo (seed_demo's SECTORS), named as such firms are:
# a trade and a family name, or a trade and a place.
TRADES = {
    "Transport et logistique": ["Transports", "Logistique", "Messagerie", "Déménagements"],
    "BTP": ["Maçonnerie", "Charpente", "Menuiserie", "Couverture", "Terrassements"],
    "Industrie agroalimentaire": ["Conserverie", "Salaisons", "Biscuiterie", "Laiterie"],
    "Commerce de gros": ["Comptoir", "Distribution", "Négoce"],
    "Services aux entreprises": ["Cabinet", "Nettoyage", "Imprimerie", "Sécurité"],
    "Santé": ["Pharmacie", "Ambulances", "Clinique vétérinaire", "Laboratoire"],
    "Collectivité territoriale": ["Communauté de communes", "Syndicat des eaux", "Mairie"],
    "Hôtellerie-restauration": ["Hôtel", "Brasserie", "Traiteur", "Restaurant"],
    "Informatique": ["Informatique", "Bureautique", "Réseaux"],
    "Agriculture": ["Coopérative agricole", "Pépinières", "Scierie", "Élevage"],
}
PLACES = ["du Centre", "de l’Ouest", "des Halles", "du Port", "de la Vallée", "du Lac", "du Moulin"]
LEGAL_FORMS = ["", "", "", "SARL", "SAS", "EURL", "et Fils"]

# The projects a rep writes on an opportunity: what the client buys, sized.
PROJECTS = [
    "Logiciel de caisse pour {n} boutiques",
    "Renouvellement du parc de {n} postes",
    "Maintenance annuelle des climatiseurs",
    "Géolocalisation de {n} camions",
    "Formation sécurité routière pour {n} chauffeurs",
    "Contrat d’entretien de la flotte de véhicules",
    "Audit énergétique de l’entrepôt",
    "Équipement de {n} utilitaires en kits de sécurité",
    "Remplacement des éthylotests embarqués",
    "Atelier éco-conduite pour l’équipe commerciale",
    "Extension du contrat de maintenance à {n} sites",
    "Audit de la flotte avant renouvellement",
    "Suivi GPS des tournées de livraison",
    "Formation des {n} nouveaux conducteurs",
    "Mise aux normes des véhicules de service",
    "Renouvellement du contrat de maintenance",
]

# Regional fixed-line prefixes by the first digits of the postal code (01 Île-de-France,
# 02 North-West, 03 North-East, 04 South-East, 05 South-West).
_PREFIX_BY_DEPARTMENT = {
    **dict.fromkeys(["14", "22", "29", "35", "37", "44", "45", "49", "53", "56", "72", "76"], "02"),
    **dict.fromkeys(["21", "51", "59", "67"], "03"),
    **dict.fromkeys(["34", "38", "74"], "04"),
    **dict.fromkeys(["17", "31", "33", "64", "79", "86"], "05"),
}


@dataclass(frozen=True)
class Place:
    line1: str
    postal_code: str
    city: str


def region_prefix(postal_code: str) -> str:
    return _PREFIX_BY_DEPARTMENT.get(postal_code[:2], "01")


def place(rng: random.Random) -> Place:
    """A street address in one of the demo's towns."""
    postal_code, city = rng.choice(TOWNS)
    if rng.random() < 0.2:
        line1 = f"{rng.choice(BUSINESS_PARKS)}, {rng.randint(1, 30)} {rng.choice(STREETS)}"
    else:
        line1 = f"{rng.randint(1, 120)} {rng.choice(STREETS)}"
    return Place(line1=line1, postal_code=postal_code, city=city)


def _of(city: str) -> str:
    """ "de Rennes", "d’Angers", "du Mans"."""
    if city.startswith("Le "):
        return f"du {city[3:]}"
    return f"d’{city}" if city[0] in "AEIOUYÉÈÂÎ" else f"de {city}"


def company_name(rng: random.Random, sector: str, family_name: str, city: str) -> str:
    """ "Transports Le Goff", "Menuiserie Perrin et Fils", "Hôtel du Port", "Mairie de Vitré"."""
    trade = rng.choice(TRADES.get(sector) or ["Établissements"])
    shape = rng.random()
    if sector == "Collectivité territoriale" or shape >= 0.8:
        return f"{trade} {_of(city)}"
    if shape < 0.55:
        return f"{trade} {family_name} {rng.choice(LEGAL_FORMS)}".strip()
    return f"{trade} {rng.choice(PLACES)}"


_NOT_IN_DOMAINS = {"sarl", "sas", "eurl", "et", "fils", "de", "du", "des", "d", "l"}


def domain(company: str) -> str:
    """The company's web domain from its name: "Transports Le Goff SARL" -> "transports-le-goff.fr",
    "Pharmacie d’Angers" -> "pharmacie-angers.fr"."""
    words = [compact(word) for word in company.replace("’", " ").replace("'", " ").split()]
    words = [w for w in words if w and w not in _NOT_IN_DOMAINS]
    return "-".join(words or ["contact"]) + ".fr"


def person_email(first_name: str, last_name: str, company: str) -> str:
    """ "Hélène d'Arc" at "Hôtel du Port" -> "helene.darc@hotel-port.fr"."""
    local = ".".join(compact(part) for part in (first_name, last_name) if compact(part))
    return f"{local or 'contact'}@{domain(company)}"


def _valid_number(rng: random.Random, prefix: str) -> str:
    """A number starting with `prefix` that phonenumbers accepts, in the national format."""
    while True:
        digits = [rng.randint(10, 99) for _ in range(4)]
        number = " ".join([prefix, *(f"{d:02d}" for d in digits)])
        if phonenumbers.is_valid_number(phonenumbers.parse(number, "FR")):
            return number


def landline(rng: random.Random, postal_code: str) -> str:
    """A fixed-line number of the town's region."""
    return _valid_number(rng, region_prefix(postal_code))


def mobile(rng: random.Random) -> str:
    return _valid_number(rng, rng.choice(["06", "07"]))


def project(rng: random.Random) -> str:
    return rng.choice(PROJECTS).format(n=rng.choice([2, 3, 4, 5, 6, 8, 12, 15, 20]))
