"""Look-ups in the French national register of companies: the public "API Recherche
d'entreprises" of the French administration (`settings.SIRENE_API_URL` + `/search`, no key).

`register_search(query)` sends `q` (a name, a SIREN or a SIRET), `page` and `per_page` and reads
the answer's `results[]`: `siren`, `nom_complet` / `nom_raison_sociale`, `nature_juridique` (a
code of INSEE's legal categories), `activite_principale` and `section_activite_principale`
(NAF), `etat_administratif` ("A" active, "C" closed), `siege` (the head office: `siret`,
`adresse`, `numero_voie`, `type_voie`, `libelle_voie`, `complement_adresse`, `code_postal`,
`libelle_commune`, `etat_administratif`) and `matching_etablissements` (the establishments that
matched the text typed). Answers are cached (Django's cache) for REGISTER_CACHE_SECONDS; a
timeout (REGISTER_TIMEOUT seconds), an HTTP error, a 429 (the API allows 7 requests per second
per address) or no network raise `RegisterUnavailable` with a message users read, so that the
form around stays usable. Plain urllib: no dependency for one GET.
"""

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

REGISTER_TIMEOUT = 3  # seconds
REGISTER_CACHE_SECONDS = 24 * 3600
REGISTER_RATE = 7  # requests per second, the API's published limit
PER_PAGE = 10
MIN_QUERY = 3

UNAVAILABLE = _(
    "The national register did not answer. Fill the fields by hand, or try again in a moment."
)
TOO_MANY = _("The national register is busy (too many requests). Try again in a few seconds.")
TOO_SHORT = _("Type at least 3 characters, a SIREN (9 digits) or a SIRET (14 digits).")

# INSEE's legal categories (level 3) most companies have; others show their code.
LEGAL_FORMS = {
    "1000": "Entrepreneur individuel",
    "5202": "Société en nom collectif",
    "5306": "Société en commandite simple",
    "5308": "Société en commandite par actions",
    "5385": "Société d'exercice libéral en commandite par actions",
    "5410": "SARL nationale",
    "5415": "SARL d'économie mixte",
    "5422": "SARL immobilière pour le commerce et l'industrie",
    "5426": "SARL immobilière de gestion",
    "5430": "SARL d'aménagement foncier et d'équipement rural",
    "5458": "SARL coopérative ouvrière de production (SCOP)",
    "5460": "Autre SARL coopérative",
    "5485": "Société d'exercice libéral à responsabilité limitée",
    "5498": "SARL unipersonnelle",
    "5499": "Société à responsabilité limitée (SARL)",
    "5505": "SA à participation ouvrière à conseil d'administration",
    "5510": "SA nationale à conseil d'administration",
    "5515": "SA d'économie mixte à conseil d'administration",
    "5560": "Autre SA coopérative à conseil d'administration",
    "5585": "Société d'exercice libéral à forme anonyme à conseil d'administration",
    "5599": "SA à conseil d'administration (s.a.i.)",
    "5699": "SA à directoire (s.a.i.)",
    "5710": "SAS, société par actions simplifiée",
    "5720": "Société par actions simplifiée à associé unique (SASU)",
    "5785": "Société d'exercice libéral par actions simplifiée",
    "6210": "Groupement européen d'intérêt économique (GEIE)",
    "6220": "Groupement d'intérêt économique (GIE)",
    "6540": "Société civile immobilière",
    "6588": "Société civile laitière",
    "6599": "Autre société civile",
    "7210": "Commune et commune nouvelle",
    "7220": "Département",
    "7229": "Autre collectivité territoriale",
    "7346": "Communauté de communes",
    "7383": "Établissement public national à caractère scientifique culturel et professionnel",
    "8110": "Régime général de la Sécurité sociale",
    "9220": "Association déclarée",
    "9221": "Association déclarée d'insertion par l'économique",
    "9230": "Association déclarée, reconnue d'utilité publique",
    "9300": "Fondation",
}

# The NAF's sections (the code's letter: `section_activite_principale`), used as the activity
# label: the API gives the code of the activity, not its label.
NAF_SECTIONS = {
    "A": "Agriculture, sylviculture et pêche",
    "B": "Industries extractives",
    "C": "Industrie manufacturière",
    "D": "Production et distribution d'électricité, de gaz, de vapeur et d'air conditionné",
    "E": "Production et distribution d'eau ; assainissement, gestion des déchets et dépollution",
    "F": "Construction",
    "G": "Commerce ; réparation d'automobiles et de motocycles",
    "H": "Transports et entreposage",
    "I": "Hébergement et restauration",
    "J": "Information et communication",
    "K": "Activités financières et d'assurance",
    "L": "Activités immobilières",
    "M": "Activités spécialisées, scientifiques et techniques",
    "N": "Activités de services administratifs et de soutien",
    "O": "Administration publique",
    "P": "Enseignement",
    "Q": "Santé humaine et action sociale",
    "R": "Arts, spectacles et activités récréatives",
    "S": "Autres activités de services",
    "T": "Activités des ménages en tant qu'employeurs",
    "U": "Activités extra-territoriales",
}


class RegisterUnavailable(Exception):
    """The register could not be read; `message` says so in the user's language."""

    def __init__(self, message, status: int | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status  # the HTTP status, when the register answered


@dataclass(frozen=True)
class Establishment:
    siret: str
    line1: str
    line2: str
    postal_code: str
    city: str
    is_head_office: bool
    closed: bool


@dataclass(frozen=True)
class RegisterCompany:
    siren: str
    name: str
    legal_name: str
    legal_form: str
    naf_code: str
    naf_label: str
    closed: bool
    head_office: Establishment | None
    establishments: list[Establishment] = field(default_factory=list)

    def establishment(self, siret: str = "") -> Establishment | None:
        """The establishment `siret` (among those matched, or the head office), else the head
        office."""
        for candidate in [*self.establishments, self.head_office]:
            if candidate is not None and siret and candidate.siret == siret:
                return candidate
        return self.head_office

    def as_dict(self) -> dict:
        return asdict(self)


# Written in lower case inside a street name, as French addresses are: "12 avenue de la Gare".
_LOWER_WORDS = frozenset(
    [
        "rue",
        "avenue",
        "boulevard",
        "place",
        "chemin",
        "allee",
        "allée",
        "impasse",
        "quai",
        "route",
        "cours",
        "square",
        "passage",
        "sentier",
        "voie",
        "lieu-dit",
        "lotissement",
        "residence",
        "résidence",
        "zone",
        "parc",
        "du",
        "de",
        "des",
        "la",
        "le",
        "les",
        "et",
        "en",
        "sur",
        "sous",
        "aux",
        "au",
        "à",
    ]
)

_ABBREVIATIONS = frozenset(["za", "zi", "zac", "zae", "bp", "cs", "bd", "bat", "rn", "rd", "cd"])


def street_case(text: str) -> str:
    """A street the register writes in capitals, as people write it: "12 AVENUE DE LA GARE"
    becomes "12 avenue de la Gare", "3 PLACE DE L'EGLISE" "3 place de l'Eglise"."""
    if not text.isupper():
        return text
    words = []
    for word in text.lower().split():
        head, apostrophe, tail = word.partition("'")
        if apostrophe and head in {"l", "d"}:
            words.append(f"{head}'{tail.capitalize()}")
        elif word in _LOWER_WORDS:
            words.append(word)
        elif word in _ABBREVIATIONS:
            words.append(word.upper())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


def _establishment(raw: dict | None) -> Establishment | None:
    if not raw or not raw.get("siret"):
        return None
    street = " ".join(
        str(raw.get(k) or "").strip()
        for k in ("numero_voie", "indice_repetition", "type_voie", "libelle_voie")
        if raw.get(k)
    )
    if not street:
        # Only the whole address: drop its postal code and town.
        street = (raw.get("adresse") or "").split(str(raw.get("code_postal") or "\0"))[0].strip()
    return Establishment(
        siret=str(raw["siret"]),
        line1=street_case(street),
        line2=street_case(str(raw.get("complement_adresse") or "")),
        postal_code=str(raw.get("code_postal") or ""),
        city=str(raw.get("libelle_commune") or ""),
        is_head_office=bool(raw.get("est_siege")),
        closed=raw.get("etat_administratif") == "F",
    )


def _naf(code: str) -> str:
    return (code or "").upper()


def parse_result(raw: dict) -> RegisterCompany:
    """One item of the API's `results[]`."""
    legal_code = str(raw.get("nature_juridique") or "")
    naf_code = _naf(raw.get("activite_principale") or "")
    section = raw.get("section_activite_principale") or ""
    head_office = _establishment(raw.get("siege"))
    matching = [_establishment(e) for e in raw.get("matching_etablissements") or []]
    return RegisterCompany(
        siren=str(raw.get("siren") or ""),
        name=raw.get("nom_complet") or raw.get("nom_raison_sociale") or "",
        legal_name=raw.get("nom_raison_sociale") or raw.get("nom_complet") or "",
        legal_form=LEGAL_FORMS.get(legal_code, legal_code),
        naf_code=naf_code,
        naf_label=raw.get("libelle_activite_principale") or NAF_SECTIONS.get(section, ""),
        closed=raw.get("etat_administratif") == "C",
        head_office=head_office,
        establishments=[e for e in matching if e is not None],
    )


def compact_query(query: str) -> str:
    """A SIREN or SIRET typed with spaces becomes its digits; other text is kept as typed."""
    text = " ".join((query or "").split())
    digits = text.replace(" ", "").replace(".", "")
    return digits if digits.isdigit() else text


def _fetch(params: dict) -> dict:
    url = f"{settings.SIRENE_API_URL.rstrip('/')}/search?{urllib.parse.urlencode(params)}"
    if not url.startswith(("http://", "https://")):
        raise RegisterUnavailable(UNAVAILABLE)
    request = urllib.request.Request(  # noqa: S310 (http and https only, checked above)
        url, headers={"Accept": "application/json", "User-Agent": "Jalon CRM"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REGISTER_TIMEOUT) as response:  # noqa: S310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        message = TOO_MANY if exc.code == 429 else UNAVAILABLE
        raise RegisterUnavailable(message, status=exc.code) from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise RegisterUnavailable(UNAVAILABLE) from exc


def register_search(query: str, *, page: int = 1, fresh: bool = False) -> list[RegisterCompany]:
    """The register's companies matching `query` (cached; `fresh` asks again). Raises
    RegisterUnavailable, and ValueError (TOO_SHORT) when too little was typed."""
    q = compact_query(query)
    if len(q) < MIN_QUERY:
        raise ValueError(str(TOO_SHORT))
    params = {"q": q, "page": page, "per_page": PER_PAGE}
    key = "register:" + hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    answer = None if fresh else cache.get(key)
    if answer is None:
        answer = _fetch(params)
        cache.set(key, answer, REGISTER_CACHE_SECONDS)
    return [parse_result(item) for item in answer.get("results") or [] if item.get("siren")]


def register_company(siren: str, *, siret: str = "", fresh: bool = False) -> RegisterCompany | None:
    """The register's record of the company `siren`, or None if the register has none. Asked
    by `siret` when given: the answer then carries that establishment (a search by SIREN
    returns the head office only)."""
    query = siret if siret.startswith(siren) and len(siret) == 14 else siren
    return next((c for c in register_search(query, fresh=fresh) if c.siren == siren), None)
