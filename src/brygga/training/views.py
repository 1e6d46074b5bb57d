"""Training pages: the trainee's exercises, and the reset for the training administrator.

Outside a training environment every page here answers 404 (``access.require_training``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from brygga.accounts.session import valid_commissions
from brygga.core.actor import Actor
from brygga.directory.models import Commission, Person

from .access import may_reset, require_training
from .actions import ResetFailed, reset_training_environment
from .exercises import ExerciseKind
from .forms import ResetForm
from .progress import ExerciseStatus, last_reset, statuses_for
from .scenario import DEFAULT_TRAINEES, trainees


@dataclass(frozen=True)
class ExerciseRow:
    status: ExerciseStatus
    target: str  # where the trainee does the exercise: the patient's case, or Nytt ärende
    switch_to: Commission | None  # set when the trainee must change commission first


def _row(status: ExerciseStatus, actor: Actor, commissions: dict[int, Commission]) -> ExerciseRow:
    exercise = status.exercise
    if status.case_id is not None:
        target = reverse("cases:detail", args=[status.case_id])
    elif status.spec.kind == ExerciseKind.REGISTER_AND_OPEN:
        target = reverse("cases:open")
    else:  # pragma: no cover - every other exercise's patient has a case from the start
        target = reverse("cases:worklist")
    switch_to = None
    if actor.unit is None or actor.unit.pk != exercise.unit_id:
        switch_to = commissions.get(exercise.unit_id)
    return ExerciseRow(status, target, switch_to)


def exercises(request: HttpRequest) -> HttpResponse:
    """Övningar: the trainee's exercises with their status, each with a link to the patient."""
    require_training()
    actor: Actor = request.actor  # type: ignore[attr-defined]
    person: Person = request.user  # type: ignore[assignment]
    statuses = statuses_for([person])[person.pk]
    commissions = {c.unit_id: c for c in valid_commissions(person)}
    rows = [_row(status, actor, commissions) for status in statuses]
    context: dict[str, object] = {
        "rows": rows,
        "done": sum(1 for row in rows if row.status.done),
        "may_reset": may_reset(actor),
        "last_reset": last_reset(),
    }
    if may_reset(actor):
        people = trainees()
        progress = statuses_for(people)
        context["classroom"] = [
            (trainee, sum(1 for s in progress[trainee.pk] if s.done), len(progress[trainee.pk]))
            for trainee in people
        ]
    return render(request, "training/exercises.html", context)


@require_http_methods(["GET", "POST"])
def reset(request: HttpRequest) -> HttpResponse:
    """The training administrator resets the environment now, after a confirmation."""
    require_training()
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not may_reset(actor):
        raise PermissionDenied
    current = len(trainees())
    form = ResetForm(request.POST or None, initial={"trainees": current or DEFAULT_TRAINEES})
    failure = None
    if request.method == "POST" and form.is_valid():
        try:
            reset_training_environment(
                actor=actor,
                trainees=form.cleaned_data["trainees"],
                today=timezone.localdate(),
                now=timezone.now(),
            )
        except ResetFailed as error:
            failure = error.message
        else:
            # Every session is gone with the old data, this one too: log out cleanly.
            request.session.flush()
            return redirect("training:reset_done")
    return render(
        request,
        "training/reset.html",
        {"form": form, "failure": failure, "last_reset": last_reset(), "trainees": current},
        status=500 if failure else 200,
    )


@login_not_required
def reset_done(request: HttpRequest) -> HttpResponse:
    """After a reset everyone is logged out; this says what happened and how to go on."""
    require_training()
    return render(request, "training/reset_done.html", {"last_reset": last_reset()})
