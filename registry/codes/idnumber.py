"""Personal identity document numbers (证件号码): validation, masking and protected storage.

A natural person's number is personal information: the registry keeps it encrypted
(Fernet), a keyed hash (HMAC-SHA256) to find the same person again without decrypting,
and the masked form that is the only one any endpoint returns (1101**********1234).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass

from cryptography.fernet import Fernet
from stdnum.cn import ric

from registry.codes import region
from registry.errors import Refusal
from registry.messages import msg
from registry.vocab import terms

# 证件类型 codes accepted on records; 身份证 numbers are checked (GB 11643), the others are kept as given.
ID_TYPES = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macao_permit": "港澳居民来往内地通行证",
    "taiwan_permit": "台湾居民来往大陆通行证",
    "foreign_permanent_residence": "外国人永久居留身份证",
    "other": "其他",
}


class IdNumberError(Refusal):
    """The number does not fit its document type; the message (a catalogue message) says why."""


def normalise(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw)
    return "".join(ch for ch in text if not ch.isspace()).upper()


def validate(id_type: str, raw: str) -> str:
    """Return the normalised number, or raise IdNumberError saying why it is wrong."""
    if id_type not in ID_TYPES:
        raise IdNumberError(
            msg("unknown document type {id_type!r}; one of {values}", id_type=id_type, values=terms(ID_TYPES))
        )
    number = normalise(raw)
    if not number:
        raise IdNumberError("must not be empty")
    if id_type == "resident_id":
        if len(number) != 18:
            raise IdNumberError(msg("a resident ID number has 18 characters, got {count}", count=len(number)))
        if not number[:-1].isdigit():
            raise IdNumberError("the first 17 characters of a resident ID number are digits")
        _check_resident_id(number)
    elif len(number) > 64:
        raise IdNumberError("must be at most 64 characters")
    return number


# Earliest birth date accepted. GB 11643 itself sets no bound; numbers were first issued in
# 1984-85 (then 15 digits), to people then alive, so none is born before 1900.
EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)


def _check_resident_id(number: str) -> None:
    """Check an 18-character number whose first 17 characters are digits (GB 11643-1999).

    The region part (digits 1-6) is the GB/T 2260 code in force when the number was ISSUED,
    which may be older or newer than the birth date: it must have existed at some time, as
    python-stdnum's table with its history says (registry.codes.region keeps abolished codes).
    stdnum.cn.ric.validate is not used, because it requires the code to exist in the birth year.
    """
    code = number[:6]
    if not region.is_known(code):
        raise IdNumberError(
            msg(
                "region code {code} (digits 1-6) is not a GB/T 2260 administrative-division code that ever existed "
                "(GB 11643)",
                code=code,
            )
        )
    # The birth date YYYYMMDD, digits 7-14, read as stdnum's ric.get_birth_date does. The messages
    # do not repeat it: it is personal data, and error responses are logged.
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("birth date (digits 7-14) is not a calendar date (GB 11643)") from None
    if born < EARLIEST_BIRTH_DATE:
        raise IdNumberError(
            msg("birth date (digits 7-14) is before {earliest} (GB 11643)", earliest=EARLIEST_BIRTH_DATE.isoformat())
        )
    if born > dt.date.today():
        raise IdNumberError("birth date (digits 7-14) is in the future (GB 11643)")
    if number[-1] != ric.calc_check_digit(number):
        raise IdNumberError("check digit is wrong (GB 11643)")


def mask(number: str) -> str:
    """Keep the first four and last four characters: 110101**********1234 style."""
    if len(number) <= 8:
        return number[:1] + "*" * (len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# An 18-character run of digits (ASCII or full-width) ending in a digit or X, not inside a longer
# run of digits (an account number), written whole or grouped 6-8-4 with a space or a hyphen.
_DIGIT = "0-9\uff10-\uff19"
_SEP = "[ \u3000-]?"
_ID_SHAPED = re.compile(
    rf"(?<![{_DIGIT}])[{_DIGIT}]{{6}}{_SEP}[{_DIGIT}]{{8}}{_SEP}[{_DIGIT}]{{3}}[{_DIGIT}Xx\uff38\uff58](?![{_DIGIT}])"
)


def _resident_id(candidate: str) -> str | None:
    """The normalised number if `candidate` (an ID-shaped run) passes GB 11643, else None."""
    try:
        return validate("resident_id", candidate.replace("-", ""))
    except IdNumberError:
        return None


def find_resident_ids(text: str) -> list[str]:
    """The valid resident ID numbers written in `text`, normalised, each once, in order."""
    found: list[str] = []
    for match in _ID_SHAPED.finditer(text):
        number = _resident_id(match.group())
        if number is not None and number not in found:
            found.append(number)
    return found


def mask_resident_ids(text: str) -> str:
    """`text` with every valid 18-character resident ID number in it masked.

    For free text a caller typed where no ID number belongs (a bidder's name or code in a
    screening; the facts, basis, remarks or reasons of a record): a number that passes GB 11643
    is masked, whether written whole, with a lowercase x, in full-width digits or grouped 6-8-4;
    anything else is left as written.
    """

    def _masked(match: re.Match[str]) -> str:
        number = _resident_id(match.group())
        return match.group() if number is None else mask(number)

    return _ID_SHAPED.sub(_masked, text)


@dataclass(frozen=True)
class ProtectedNumber:
    ciphertext: str
    lookup_hash: str
    masked: str


class IdentityVault:
    """Encrypts and fingerprints ID numbers with keys derived from one secret."""

    def __init__(self, secret: str) -> None:
        if len(secret) < 16:
            raise ValueError("the data-protection secret must be at least 16 characters")
        material = hashlib.sha256(("registry-id-encryption:" + secret).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(material))
        self._hmac_key = hashlib.sha256(("registry-id-lookup:" + secret).encode()).digest()

    def fingerprint(self, id_type: str, number: str) -> str:
        return hmac.new(self._hmac_key, f"{id_type}:{number}".encode(), hashlib.sha256).hexdigest()

    def protect(self, id_type: str, number: str) -> ProtectedNumber:
        return ProtectedNumber(
            ciphertext=self._fernet.encrypt(number.encode()).decode(),
            lookup_hash=self.fingerprint(id_type, number),
            masked=mask(number),
        )

    def seal(self, text: str) -> str:
        """Encrypt `text` (no fingerprint): the numbers a record's free text held, kept beside it."""
        return self._fernet.encrypt(text.encode()).decode()

    def reveal(self, ciphertext: str) -> str:
        """Decrypt: only for exports to the credit platform or the deciding authority's own
        reading (registry.records.record_rules.reveal_free_text_ids), never for an API response."""
        return self._fernet.decrypt(ciphertext.encode()).decode()
