"""The application layer: the ``boolsens`` command.

It sits on top of everything else and is the only code that imports all three packages: it
builds one command line from the subcommands each package contributes (``analyze`` from
:mod:`boolsens.commands`, ``verify`` from :mod:`proofs_check.verify_command`, ``experiment`` from
:mod:`empirical.harness.cli`) and adds the ``tour``, which shows them together. Nothing imports this
package. Run it as ``boolsens ...`` or ``python -m boolsens_cli ...``.
"""

from .main import main

__all__ = ["main"]
