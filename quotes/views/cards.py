"""The quote list and the quote card (draft editing with htmx, issue, send, revise)."""
