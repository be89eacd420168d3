"""Analysis of finished units: statistics (:mod:`.stats`), statistics of curves
(:mod:`.curve_stats`) and the report and figure rendering (:mod:`.report`). Imports no torch."""
