"""empirical: train small networks (transformers above all) on Boolean tasks and measure the
functions they compute with :mod:`boolsens` (conventions: see :mod:`boolsens`).

* :mod:`empirical.registry`: experiments (name, claim, presets, ``run``); how to add one.
* :mod:`empirical.harness`: device, seeds, results folder, resumable training, reports, plots.
* :mod:`empirical.models`: transformer, LSTM, MLP (one readable file each).
* :mod:`empirical.tasks`: Boolean targets, fresh or fixed training sets, held-out evaluation.
* :mod:`empirical.metrics`: exact function measures, sharpness L_rho, layer-norm blowup, norms.
* :mod:`empirical.cli`: ``boolsens experiment list`` / ``boolsens experiment NAME ...``.

Requires torch and matplotlib (``pip install boolsens[empirical]``). The ``gpu`` presets are
paper scale for one H100/H200; they are defined but have not been run in the session that built
this package (no GPU was available); the ``cpu`` presets have.
"""

__all__ = ["registry", "harness", "cli"]
