"""Merging duplicates of companies, people and prospects: one record is kept, the user picks
field by field which value it keeps, every record linked to the other moves to it, and the other
goes to the trash (restorable; what moved stays on the kept record).

Generic, so that the apps above contacts (pipeline, quotes, mail and those to come) are covered
without contacts importing them:
- every foreign key pointing at the model (`_meta.get_fields(include_hidden=True)`: the
  hidden ones too, trashed rows included) is moved; where a unique constraint would break (one affiliation per person and company, one
  representative per user, the same e-mail filed twice), the merged-away record's duplicate row
  is deleted; where a conditional one would (one default address, one default contact, one
  default bank account), the moved rows lose their flag when the kept record has one;
- many-to-many links (categories...) are united: their tables' foreign keys are among those;
- every model with a GenericForeignKey (notes, documents, ...) has its rows re-pointed by
  content type and object id.
All in one transaction, with both records locked. The merge is written in the audit log and as
a note on the kept record (its history).
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, UniqueConstraint
from django.utils.translation import gettext_lazy as _

from contacts.models import PROSPECT_EDITABLE, Company, Note, Person, Prospect
from contacts.services import COMPANY_EDITABLE, PERSON_EDITABLE, company_reindex
from core.access import can_change
from core.trash import audit_change, trash_rows

MERGE_SELF = _("A record cannot be merged with itself.")
MERGE_DENIED = _("You may not change “%(record)s”: it cannot be merged.")
MERGE_TRASHED = _("“%(record)s” is in the trash: restore it before merging.")
MERGE_KIND = _("Only records of the same kind can be merged.")
MERGED_SUBJECT = _("Merged with “%(record)s”")

# The fields the user picks a value for, by model (identity and contact details; management
# dates, owner stamps and search words follow the rules of their own services).
MERGE_FIELDS = {
    Company: COMPANY_EDITABLE,
    Person: PERSON_EDITABLE,
    Prospect: PROSPECT_EDITABLE,
}


@dataclass
class MergeResult:
    kept: models.Model
    other: models.Model
    moved: dict[str, int] = field(default_factory=dict)  # verbose name plural → rows


def merge_fields(model: type[models.Model]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in MERGE_FIELDS[model]]


def _unique_sets(model: type[models.Model]):
    """(field names, condition) of each uniqueness rule of `model`."""
    for names in model._meta.unique_together:
        yield tuple(names), None
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint) and constraint.fields:
            yield tuple(constraint.fields), constraint.condition


def _flag(condition: Q) -> str | None:
    """`is_default` for Q(is_default=True): the flag a moved row may drop."""
    if isinstance(condition, Q) and len(condition.children) == 1 and not condition.negated:
        name, value = condition.children[0]
        if value is True:
            return name
    return None


def _move(related: type[models.Model], name: str, kept, other) -> int:
    """Re-point `related.<name>` from `other` to `kept`, deleting what would break a unique rule."""
    manager = related._base_manager
    fk = related._meta.get_field(name)
    if fk.unique and manager.filter(**{name: kept}).exists():
        return 0  # one-to-one: the kept record's own row wins
    for names, condition in _unique_sets(related):
        if name not in names:
            continue
        others = [n for n in names if n != name]
        if condition is not None:
            flag = _flag(condition)
            if flag and not others and manager.filter(condition, **{name: kept}).exists():
                manager.filter(condition, **{name: other}).update(**{flag: False})
            continue
        if not others:
            continue
        taken = set(manager.filter(**{name: kept}).values_list(*others))
        clashing = {
            pk: dict(zip(others, values, strict=True))
            for pk, *values in manager.filter(**{name: other}).values_list("pk", *others)
            if tuple(values) in taken
        }
        if clashing:
            kept_flags = _flags_held(related, name, manager.filter(pk__in=clashing))
            manager.filter(pk__in=clashing).delete()
            # A deleted row that was its group's default (the company's default contact)
            # hands the flag to the kept record's row of the same group.
            for pk, flag in kept_flags:
                manager.filter(**{name: kept}, **clashing[pk]).update(**{flag: True})
    return manager.filter(**{name: other}).update(**{name: kept})


def _flags_held(related: type[models.Model], name: str, rows: models.QuerySet):
    """(pk, flag) of the rows holding a flag that is unique in a group `name` is not part of
    (`is_default` of an affiliation, one per company, when merging people)."""
    held = []
    for names, condition in _unique_sets(related):
        flag = _flag(condition) if condition is not None else None
        if flag and name not in names:
            held += [(pk, flag) for pk in rows.filter(condition).values_list("pk", flat=True)]
    return held


def _generic_models():
    for model in apps.get_models():
        for private in model._meta.private_fields:
            if isinstance(private, GenericForeignKey):
                yield model, private


def _label(model: type[models.Model]) -> str:
    return str(model._meta.verbose_name_plural)


def _links(model: type[models.Model]):
    """Every foreign key pointing at `model`, hidden ones included (`related_name="+"`, as
    mail's message links and a quote's recipient, and the tables of many-to-many fields)."""
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and not relation.many_to_many:
            yield relation.related_model, relation.field.name


def _move_links(kept, other, result: MergeResult) -> None:
    model = type(kept)
    for related, name in _links(model):
        count = _move(related, name, kept, other)
        if count and not related._meta.auto_created:
            label = _label(related)
            result.moved[label] = result.moved.get(label, 0) + count
    content_type = ContentType.objects.get_for_model(model)
    for related, generic in _generic_models():
        count = related._base_manager.filter(
            **{generic.ct_field: content_type, generic.fk_field: other.pk}
        ).update(**{generic.fk_field: kept.pk})
        if count:
            result.moved[_label(related)] = result.moved.get(_label(related), 0) + count


def _check(kept, other, actor) -> None:
    if type(kept) is not type(other):
        raise ValidationError(MERGE_KIND, code="kind")
    if kept.pk == other.pk:
        raise ValidationError(MERGE_SELF, code="self")
    for record in (kept, other):
        if record.deleted_at is not None:
            raise ValidationError(MERGE_TRASHED, code="trashed", params={"record": str(record)})
        if not can_change(actor, record):
            raise ValidationError(MERGE_DENIED, code="denied", params={"record": str(record)})


def _take_customer(kept: Company, other: Company) -> None:
    """A customer stays a customer: the kept prospect takes the other's customer code."""
    if other.kind == Company.Kind.CUSTOMER and kept.kind != Company.Kind.CUSTOMER:
        code = other.customer_code
        Company.all_objects.filter(pk=other.pk).update(customer_code=None)
        kept.kind, kept.customer_code = Company.Kind.CUSTOMER, code


@transaction.atomic
def record_merge(*, kept, other, actor, take: list[str] | tuple[str, ...] = ()) -> MergeResult:
    """Merge `other` into `kept` (companies, people or prospects): `take` names the fields
    whose value comes from `other`. Refused (ValidationError, nothing changed) for a record
    with itself, a record in the trash, or one `actor` may not change."""
    model = type(kept)
    if model not in MERGE_FIELDS:
        raise ValidationError(MERGE_KIND, code="kind")
    _check(kept, other, actor)
    locked = model.all_objects.select_for_update().filter(pk__in=[kept.pk, other.pk])
    rows = {row.pk: row for row in locked.order_by("pk")}
    kept, other = rows[kept.pk], rows[other.pk]
    _check(kept, other, actor)  # as they are now, locked
    result = MergeResult(kept=kept, other=other)
    taken = [f for f in merge_fields(model) if f.name in set(take)]
    changes = {}
    for merge_field in taken:
        before, after = getattr(kept, merge_field.attname), getattr(other, merge_field.attname)
        if before != after:
            setattr(kept, merge_field.attname, after)
            changes[merge_field.name] = [str(before), str(after)]
    if model is Company:
        _take_customer(kept, other)
    _move_links(kept, other, result)
    if model is Prospect:
        # Found by what either was found by (its own search words are the prospects' app's).
        words = f"{kept.search_text} {other.search_text}".split()
        kept.search_text = " ".join(dict.fromkeys(words))
        # Its opportunities moved here: the earlier of the two stored next actions.
        actions = [at for at in (kept.next_action_at, other.next_action_at) if at]
        kept.next_action_at = min(actions) if actions else None
        Prospect.all_objects.filter(pk=other.pk).update(next_action_at=None)
    kept.touch(actor)
    kept.save()
    if model is Company:
        company_reindex(company=kept)
        company_reindex(company=other)  # its words moved: a restore finds it again at once
    trash_rows(model.all_objects.filter(pk=other.pk), actor=actor)
    other.refresh_from_db()
    audit_change(
        kept,
        actor=actor,
        changes={"merged_from": ["", f"#{other.pk} {other}"], **changes},
    )
    moved = "\n".join(f"{label}: {count}" for label, count in sorted(result.moved.items()))
    taken_names = ", ".join(str(f.verbose_name) for f in taken)
    Note.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=kept.pk,
        subject=str(MERGED_SUBJECT % {"record": f"{other} (#{other.pk})"})[:200],
        text="\n".join(
            part
            for part in [
                str(_("Moved to this record:")) + ("\n" + moved if moved else " —"),
                str(_("Values taken from the merged record:")) + " " + (taken_names or "—"),
            ]
            if part
        ),
        owner=actor,
    )
    return result
