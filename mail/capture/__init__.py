"""E-mail capture: parsing what comes in, filing it on records, lead rules, the inbox pages."""
