"""aigis: the AI Safety Governance Framework 2.0, executable."""

from aigis.errors import AigisError, InputError, NotFoundError

__version__ = "0.1.0"

__all__ = ["AigisError", "InputError", "NotFoundError", "__version__"]
