"""`in` on integer columns with values no column can hold (a 30-digit id sent by a client).

Django answers `pk=10**30` with no rows but sends `pk__in=[10**30]` to the database, where SQLite
raises OverflowError (a 500 from any ModelMultipleChoiceField: the prospects' bulk actions, the
categories of a form). Such a value matches no row: it is left out of the list, as Django leaves
out None. Registered on IntegerField, so on every integer and auto field (core/apps.py)."""

from django.db.models import IntegerField
from django.db.models.lookups import In


@IntegerField.register_lookup
class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)
