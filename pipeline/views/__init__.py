"""The process pages: `board` (the Kanban), `stages` (its columns), `step_list`, `opportunities`
(the opportunity card and its lines) and `tasks` (agenda, calendar, feed, panels)."""
