"""The one error class of boolsens."""


class BoolsensError(ValueError):
    """Raised for invalid arguments: the message names the argument, its value and what is allowed.

    A subclass of ``ValueError`` so generic handlers keep working.
    """
