"""Whether the training pages exist here, and who may reset the environment.

Outside a training environment (``BRYGGA_ENVIRONMENT`` other than ``training``) the training
pages answer 404: the feature does not exist there, and a production server should not
even hint that a reset exists.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from brygga.core.actor import Actor
from brygga.directory.models import Role

TRAINING_ENVIRONMENT = "training"
# The training administrator (kursledare) is central administration in the training region.
RESET_ROLES = (Role.CENTRAL_ADMIN,)


def is_training() -> bool:
    return bool(settings.ENVIRONMENT == TRAINING_ENVIRONMENT)


def require_training() -> None:
    if not is_training():
        raise Http404


def may_reset(actor: Actor | None) -> bool:
    return actor is not None and actor.has_role(*RESET_ROLES)
