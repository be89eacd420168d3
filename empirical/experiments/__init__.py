"""Experiment modules, one per experiment, each registering itself with
:func:`empirical.harness.registry.register` when it is imported. Nothing here imports them: the
registry lists the experiments from its table (:data:`empirical.harness.registry.EXPERIMENTS`)
and imports a module, by name, only when that experiment is asked for
(:func:`empirical.harness.registry.get`). No experiment imports another: what several experiments
share lives below this package (:mod:`empirical.train`, :mod:`empirical.measure`, ...)."""
