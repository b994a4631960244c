import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def freeze(monkeypatch):
    """`freeze(datetime)` makes `timezone.now()` (and so `localdate()`) return that instant."""

    def _freeze(moment: dt.datetime) -> dt.datetime:
        assert timezone.is_aware(moment)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return _freeze
