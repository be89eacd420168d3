"""empirical: train small networks (transformers above all) on Boolean and real-valued tasks and
measure the functions they compute with :mod:`boolsens` (conventions: see :mod:`boolsens`;
definitions of the measures on networks: ``docs/theory.md`` §5).

The experiments (one module each, importing no other):

* :mod:`empirical.harness.registry`: experiments (name, claim, presets, ``run``); how to add one.
* :mod:`empirical.experiments`: the experiments themselves.
* :mod:`empirical.harness.cli`: ``boolsens experiment list`` / ``boolsens experiment NAME ...``.

What they are built from:

* :mod:`empirical.harness.runtime`: device, seeds, CPU threads, the environment record.
* :mod:`empirical.harness.checks`: the argument checks every public function uses (one message per kind).
* :mod:`empirical.harness.rundir`: the run folder (config, units, checkpoints, metrics.jsonl, summary),
  crash-safe through :mod:`boolsens.storage`.
* :mod:`empirical.train.loop`: the resumable, checkpointed training loop.
* :mod:`empirical.analysis.report`: Markdown tables, report.md, figures.
* :mod:`empirical.analysis.stats`: line fits (scipy), sample standard deviations, z-tests.
* :mod:`empirical.models`: transformer, LSTM, MLP and the real-valued models (one readable file each).
* :mod:`empirical.data.tasks`, :mod:`empirical.data.real`, :mod:`empirical.data.corruptions`: Boolean
  targets and training sets; offline real-valued data; image corruptions.
* :mod:`empirical.train.boolean_fit`, :mod:`empirical.train.algorithmic`: training shared by several
  experiments (a transformer on a Boolean task; modular addition and noisy sparse parity).
* :mod:`empirical.measure.metrics`: exact function measures, loss sharpness, layer-norm blowup, norms.
* :mod:`empirical.measure.sensitivity_real`: token sensitivity, weight-noise sharpness, Gaussian noise
  stability of real-valued models; :mod:`empirical.train.regularizers`: the training regularisers.

Requires torch, scipy and matplotlib (``pip install boolsens[empirical]``). The ``gpu`` presets
are paper scale for one H100/H200; they are defined but have not been run yet (no GPU was
available); the ``cpu`` presets have.
"""

__all__ = ["registry", "cli"]
