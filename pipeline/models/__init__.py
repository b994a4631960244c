"""The pipeline's tables, one module per part; imported here so that Django finds them and
the apps write `from pipeline.models import Opportunity`."""

from pipeline.models.automation import AutomationRule
from pipeline.models.opportunities import (
    Colour,
    HistoryEntry,
    LossReason,
    Opportunity,
    OpportunityLine,
    StepProgress,
)
from pipeline.models.processes import Process, Step
from pipeline.models.tasks import CalendarFeed, SeriesCut, Task, TaskQuerySet, TaskType

__all__ = [
    "AutomationRule",
    "CalendarFeed",
    "Colour",
    "HistoryEntry",
    "LossReason",
    "Opportunity",
    "OpportunityLine",
    "Process",
    "SeriesCut",
    "Step",
    "StepProgress",
    "Task",
    "TaskQuerySet",
    "TaskType",
]
