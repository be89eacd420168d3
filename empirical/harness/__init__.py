"""The harness: what turns an experiment's functions into a run. It spans two layers (see
:mod:`empirical`): the base, which imports nothing else of ``empirical`` (:mod:`.checks`, the
argument checks; :mod:`.runtime`, device, seeds and threads; :mod:`.registry`, the experiments'
names, claims and registrations; :mod:`.plan`, units and their keys; :mod:`.runner`, running units
and the unit context; :mod:`.prereg`, the declarations of confirmatory runs), and the top (:mod:`.rundir`, the run folder, which renders reports with
:mod:`empirical.analysis`; :mod:`.cli`, the ``experiment`` subcommand). Importing this package
imports none of them (and no torch)."""
