"""The manager's reports (/reports/): each module registers one `Report` (see base.py)."""

from forecasting.reports.base import REPORTS, register

__all__ = ["REPORTS", "register"]
