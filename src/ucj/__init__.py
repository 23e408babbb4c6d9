"""UCJ — Universal Coverage Jamsostek.

Registry, contributions, coverage monitoring and budget planning for Indonesian regional governments
and BPJS Ketenagakerjaan. Each domain concept is one package with a pure core and a thin Django shell.
"""

__version__ = "0.1.0"
