"""empirical: train small networks (transformers above all) on Boolean and real-valued tasks and
measure the functions they compute with :mod:`boolsens` (conventions: see :mod:`boolsens`;
definitions of the measures on networks: ``docs/theory.md`` §5).

The folders read as the pipeline, and the layers are strict: a module imports only modules of its
own layer or lower ones, with no cycle, deferred imports inside functions included
(``tests/test_architecture.py`` enforces it; ``docs/architecture.md`` has the table):

====  ==========================  ====================================================================
 0    ``harness`` base            :mod:`~empirical.harness.checks` (argument checks),
                                  :mod:`~empirical.harness.runtime` (device, seeds, threads),
                                  :mod:`~empirical.harness.registry` (names, claims, registrations),
                                  :mod:`~empirical.harness.plan` (units, keys, ``--set``/``--grid``),
                                  :mod:`~empirical.harness.runner` (running units; the unit context)
 1    :mod:`empirical.data`       Boolean targets and training sets, real-valued data, corruptions
 2    :mod:`empirical.models`     transformer, LSTM, MLP, the real-valued models
 3    :mod:`empirical.measure`    exact function measures, sharpness, blowup, norms; real-valued
                                  sensitivities; Hahn & Rofin's and Vasudeva et al.'s measures
 4    :mod:`empirical.train`      the resumable loop, K seeds at once, regularisers, shared recipes
 5    :mod:`empirical.analysis`   statistics, curve statistics, report and figure rendering
 6    ``harness`` run folder      :mod:`~empirical.harness.rundir`
 7    :mod:`empirical.experiments`  one module per experiment, importing no other
 8    ``harness`` command line    :mod:`~empirical.harness.cli` (``boolsens experiment ...``)
====  ==========================  ====================================================================

Measure sits below train because a recipe logs measurements while it trains; a measurement never
trains. The one import that points up is the registry's: :func:`empirical.harness.registry.get`
imports an experiment module by name (``importlib``, from the registry's table) when that
experiment is asked for, so ``boolsens experiment list`` imports no experiment, no torch, no scipy
and no matplotlib. Importing this package imports nothing else; the harness base imports no torch.

Requires torch, scipy and matplotlib (``pip install boolsens[empirical]``). The ``gpu`` presets
are paper scale for one H100/H200; they are defined but have not been run yet (no GPU was
available); the ``cpu`` presets have.
"""
