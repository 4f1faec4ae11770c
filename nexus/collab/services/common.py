"""What the collaboration hub's services share."""

from enum import Enum


class Keep(Enum):
    """The default of a parameter for which None is a value (no team, nobody assigned): leave
    the field as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP
