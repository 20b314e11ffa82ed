"""upright: a measured check-up of a runner's posture, on the runner's own machine.

upright is a training and self-management aid, not a medical device.
"""

from upright.errors import (
    CorruptFileError,
    InputError,
    InsufficientDataError,
    QualityError,
    UnsupportedFormatError,
    UprightError,
)

__version__ = "0.1.0"

__all__ = [
    "CorruptFileError",
    "InputError",
    "InsufficientDataError",
    "QualityError",
    "UnsupportedFormatError",
    "UprightError",
    "__version__",
]
