"""API errors as OperationOutcome, in Swedish and English.

`details.text` is in the language the client asked for (Accept-Language: en gives English,
anything else Swedish) and carries the other language in FHIR's translation extension, so
an EHR can show the message to its users in either. Messages from the case rules exist in
Swedish only; their English counterpart says what kind of refusal it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import systems


@dataclass(frozen=True)
class Message:
    sv: str
    en: str


MESSAGES: dict[str, Message] = {
    "no-token": Message(
        "Åtkomsttoken saknas. Hämta en token med client credentials och skicka den som "
        "Authorization: Bearer.",
        "No access token. Get a token with the client-credentials grant and send it as "
        "Authorization: Bearer.",
    ),
    "invalid-token": Message(
        "Åtkomsttoken är ogiltig eller har gått ut. Hämta en ny token.",
        "The access token is invalid or has expired. Get a new token.",
    ),
    "insufficient-scope": Message(
        "Token saknar behörigheten %(scope)s.",
        "The token lacks the scope %(scope)s.",
    ),
    "unit-required": Message(
        "Klienten är registrerad för flera enheter. Ange enhetens HSA-id i huvudet X-Brygga-Unit.",
        "The client is registered for several units. Give the unit's HSA-id in the "
        "X-Brygga-Unit header.",
    ),
    "unit-refused": Message(
        "Klienten får inte agera för enheten %(unit)s, eller enheten använder inte Brygga.",
        "The client may not act for the unit %(unit)s, or the unit does not use Brygga.",
    ),
    "not-found": Message(
        "Resursen finns inte, eller klientens enhet har inte tillgång till den.",
        "The resource does not exist, or the client's unit has no access to it.",
    ),
    "unknown-type": Message(
        "Resurstypen %(type)s stöds inte. Se /fhir/metadata.",
        "The resource type %(type)s is not supported. See /fhir/metadata.",
    ),
    "method": Message(
        "Metoden stöds inte för den här resursen. Se /fhir/metadata.",
        "The method is not supported for this resource. See /fhir/metadata.",
    ),
    "bad-json": Message(
        "Innehållet är inte giltig JSON.",
        "The body is not valid JSON.",
    ),
    "invalid-resource": Message(
        "Resursen följer inte FHIR R4: %(details)s",
        "The resource does not conform to FHIR R4: %(details)s",
    ),
    "invalid-input": Message("%(sv)s", "%(en)s"),
    "bad-search": Message(
        "Sökparametern %(param)s stöds inte eller har fel format.",
        "The search parameter %(param)s is not supported or is malformed.",
    ),
    "version-conflict": Message(
        "Någon annan har ändrat ärendet (nu version %(current)s, ni skickade %(sent)s). "
        "Läs ärendet igen och skicka på nytt.",
        "Someone else changed the case (now version %(current)s, you sent %(sent)s). "
        "Read the case again and resend.",
    ),
    "bad-if-match": Message(
        'If-Match ska vara en ETag av formen W/"3".',
        'If-Match must be an ETag of the form W/"3".',
    ),
    "multiple-matches": Message(
        "If-None-Exist matchar flera resurser.",
        "If-None-Exist matches more than one resource.",
    ),
    "server-error": Message(
        "Ett oväntat fel uppstod i Brygga. Felet är loggat med begärans id %(request_id)s.",
        "An unexpected error occurred in Brygga. It is logged with request id %(request_id)s.",
    ),
    "business-rule": Message(
        "%(reason)s",
        "Refused by the discharge-coordination rules (LUS) for the case and unit; the "
        "Swedish text gives the reason: %(reason)s",
    ),
}


@dataclass
class ApiError(Exception):
    """Raised anywhere in a request; the view turns it into an OperationOutcome."""

    status: int
    code: str  # a key of MESSAGES
    issue_type: str = "processing"  # FHIR issue-type
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def texts(self) -> tuple[str, str]:
        message = MESSAGES[self.code]
        return message.sv % self.params, message.en % self.params


def _translation(lang: str, text: str) -> dict[str, Any]:
    return {
        "url": systems.TRANSLATION,
        "extension": [
            {"url": "lang", "valueCode": lang},
            {"url": "content", "valueString": text},
        ],
    }


def outcome(error: ApiError, *, language: str) -> dict[str, Any]:
    sv, en = error.texts()
    english = language.startswith("en")
    text, other, other_lang = (en, sv, "sv") if english else (sv, en, "en")
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": error.issue_type,
                "details": {
                    "coding": [{"system": systems.ERROR_CODE, "code": error.code}],
                    "text": text,
                    "_text": {"extension": [_translation(other_lang, other)]},
                },
            }
        ],
    }
