"""The small named LUS world of the case tests, reused here."""

from brygga.cases.tests.conftest import open_stay, world

__all__ = ["open_stay", "world"]
