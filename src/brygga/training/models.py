"""Exercises handed to trainees in a training environment (utbildningsmiljö).

An exercise row says which trainee should do what (``kind``, see ``exercises.EXERCISES``),
acting for which unit, with which patient, from when. Whether it is done is never stored:
it is computed from the case events (``exercises.completed_at``), so it cannot drift from
what the trainee actually did.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Exercise(models.Model):
    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_exercises",
        verbose_name=_("kursdeltagare"),
    )
    kind = models.CharField(_("övning"), max_length=40)
    position = models.PositiveSmallIntegerField(_("ordning"))
    unit = models.ForeignKey(
        "directory.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("görs för enheten"),
    )
    # The patient by identity number: one exercise registers a patient who does not exist yet.
    patient_identity = models.CharField(_("patientens identitetsnummer"), max_length=12)
    patient_name = models.CharField(_("patientens namn"), max_length=200)
    details = models.JSONField(default=dict, blank=True)
    assigned_at = models.DateTimeField(_("påbörjad från"))

    class Meta:
        ordering = ["trainee", "position"]
        verbose_name = _("övning")
        verbose_name_plural = _("övningar")
        constraints = [
            models.UniqueConstraint(fields=["trainee", "kind"], name="training_exercise_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.patient_name})"
