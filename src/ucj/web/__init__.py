"""Web shell: base templates, static assets, the home page and the REST API assembly."""
