"""The ``ucj`` command line."""
