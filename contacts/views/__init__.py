"""The contact file's pages: `companies` (list, card, addresses, representatives), `people`
(list, card, mailing export, links to companies) and `records` (notes and documents on any
record)."""
