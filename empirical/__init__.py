"""empirical: train small networks (transformers above all) on Boolean and real-valued tasks and
measure the functions they compute with :mod:`boolsens` (conventions: see :mod:`boolsens`;
definitions of the measures on networks: ``docs/theory.md`` §5).

The experiments (one module each, importing no other):

* :mod:`empirical.registry`: experiments (name, claim, presets, ``run``); how to add one.
* :mod:`empirical.experiments`: the experiments themselves.
* :mod:`empirical.cli`: ``boolsens experiment list`` / ``boolsens experiment NAME ...``.

What they are built from:

* :mod:`empirical.runtime`: device, seeds, CPU threads, the environment record.
* :mod:`empirical.checks`: the argument checks every public function uses (one message per kind).
* :mod:`empirical.rundir`: the run folder (config, units, checkpoints, metrics.jsonl, summary),
  crash-safe through :mod:`boolsens.storage`.
* :mod:`empirical.training`: the resumable, checkpointed training loop.
* :mod:`empirical.report`: Markdown tables, report.md, figures.
* :mod:`empirical.stats`: line fits (scipy), sample standard deviations, z-tests.
* :mod:`empirical.models`: transformer, LSTM, MLP and the real-valued models (one readable file each).
* :mod:`empirical.tasks`, :mod:`empirical.data_real`, :mod:`empirical.corruptions`: Boolean
  targets and training sets; offline real-valued data; image corruptions.
* :mod:`empirical.boolean_fit`, :mod:`empirical.algorithmic`: training shared by several
  experiments (a transformer on a Boolean task; modular addition and noisy sparse parity).
* :mod:`empirical.metrics`: exact function measures, loss sharpness, layer-norm blowup, norms.
* :mod:`empirical.sensitivity_real`: token sensitivity, weight-noise sharpness, Gaussian noise
  stability of real-valued models; :mod:`empirical.regularizers`: the training regularisers.

Requires torch, scipy and matplotlib (``pip install boolsens[empirical]``). The ``gpu`` presets
are paper scale for one H100/H200; they are defined but have not been run yet (no GPU was
available); the ``cpu`` presets have.
"""

__all__ = ["registry", "cli"]
