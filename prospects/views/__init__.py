"""The prospect file's pages: `prospects` (list, card, bulk actions, contacts, trash),
`imports` (import wizard and export), `board` (a new opportunity from a Kanban column)."""
