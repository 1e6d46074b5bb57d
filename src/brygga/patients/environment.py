"""Which identity numbers this installation accepts, from BRYGGA_ENVIRONMENT.

In a training environment (``BRYGGA_ENVIRONMENT=training``) new patients may only carry
test identity numbers (``identity.accepted_in_training``): trainees practise on made-up
patients, and a real personnummer typed in by habit is refused before it is stored.
"""

from __future__ import annotations

from django.conf import settings

ONLY_TEST_IDENTITIES_IN = frozenset({"training"})


def only_test_identities() -> bool:
    return settings.ENVIRONMENT in ONLY_TEST_IDENTITIES_IN
