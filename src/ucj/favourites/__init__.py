"""Saved favourite views (issue 16 item 15): a user keeps the dashboard, registry or planning page with its
filters (the URL's query) under a name, and opens it again from the header. Per user; nobody sees another's."""
