"""A company's representatives by product family (Sage X3's third party: "représentants par
famille"): who follows the company for each family of the catalogue, beside its owner and its
secondary reps by role (contacts.CompanyRep).

The link lives here, in the catalogue, because the catalogue sits above the contacts: it may
point at contacts.Company, never the other way round. The company card shows them through this
app's panel (`company_family_reps`, loaded by htmx), and the company list's "representative"
filter reaches them through the lookup this app registers (`contacts.filters.register_rep_lookup`
in CatalogueConfig.ready), so contacts never imports the catalogue.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

REP_EXISTS = _("%(user)s already follows this company for %(family)s.")


class FamilyRep(models.Model):
    company = models.ForeignKey(
        "contacts.Company", on_delete=models.CASCADE, related_name="family_reps"
    )
    family = models.ForeignKey(
        "catalogue.ProductFamily",
        verbose_name=_("product family"),
        on_delete=models.CASCADE,
        related_name="company_reps",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("representative"), on_delete=models.CASCADE
    )
    role = models.CharField(_("role"), max_length=80, blank=True)

    class Meta:
        ordering = ["family__position", "family__name", "id"]
        verbose_name = _("representative by product family")
        verbose_name_plural = _("representatives by product family")
        constraints = [
            models.UniqueConstraint(fields=["company", "family", "user"], name="unique_family_rep")
        ]

    def __str__(self) -> str:
        return f"{self.family}: {self.user}"


@transaction.atomic
def family_rep_add(*, company, family, user, role: str = "", actor) -> FamilyRep:
    """`user` follows `company` for the products of `family` (once per family)."""
    if FamilyRep.objects.filter(company=company, family=family, user=user).exists():
        raise ValidationError(
            REP_EXISTS, code="exists", params={"user": str(user), "family": str(family)}
        )
    return FamilyRep.objects.create(company=company, family=family, user=user, role=role)


@transaction.atomic
def family_rep_remove(*, rep: FamilyRep, actor) -> None:
    rep.delete()
