"""The manager's reports (/reports/): each module registers one `Report` (see base.py)."""

from forecasting.reports import (
    accuracy,  # noqa: F401
    activity,  # noqa: F401
    funnel,  # noqa: F401
    slippage,  # noqa: F401
    time_in_step,  # noqa: F401
    win_rate,  # noqa: F401
)
from forecasting.reports.base import REPORTS, register

__all__ = ["REPORTS", "register"]
