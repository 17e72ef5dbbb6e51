"""chibo: party-building records for the party organizations of a city's schools."""

__version__ = "0.1.0"
