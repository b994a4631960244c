"""What a rep gets on the global search (search/urls.py): a page of the records the rep may
see, never one record named by the URL."""

from tests.trust.test_url_walk import page

RULES = {
    "search": page(query="q=du"),
}
