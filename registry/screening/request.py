"""A screening request as the service reads it (资格审查的核查请求): the project, and each subject
(投标人, each member of a 联合体 separately) with its name, code and persons, checked field by field.

A subject's code may be a 统一社会信用代码 or its 9-character 组织机构代码; a 15-digit 注册号, a malformed
code or the 个体工商户 placeholder is noted and not used. Pure functions: no database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

from matching.codes import is_registration_number, is_valid_organisation_code, organisation_check
from matching.normalise import normalise as normalise_name
from matching.parse import parse_name
from registry.codes.idnumber import IdentityVault, mask_resident_ids
from registry.codes.uscc import INDIVIDUAL_BUSINESS_PLACEHOLDER, USCCError
from registry.codes.uscc import normalise as normalise_uscc
from registry.codes.uscc import validate as validate_uscc
from registry.errors import InvalidInput, said
from registry.messages import Msg, Text, msg
from registry.records.record_rules import identity_vault
from registry.screening.person_links import (
    PersonInput,
    PersonQuery,
    read_subject_persons,
)
from registry.vocab import DOMAINS

MAX_SUBJECTS = 1000
SHOWN_REFUSALS = 5  # fields the message of a refused request names; `errors` has them all
_MAX_LENGTHS = {"name": 200, "uscc": 50, "role": 50, "consortium": 100}
# A subject's persons (失信相关人 look-up): its legal representative, or its own ID (an expert).
_PERSON_FIELDS = ("legal_representative", "id_type", "id_number")


# --- the request -------------------------------------------------------------------------------


def clean_field(value: Any, field: str, max_len: int, errors: dict[str, list[Text]]) -> str | None:
    """Text with control characters dropped and whitespace collapsed; None when nothing is left."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors.setdefault(field, []).append("must be a string")
        return None
    text = " ".join("".join(ch for ch in value if unicodedata.category(ch) != "Cc").split())
    if len(text) > max_len:
        errors.setdefault(field, []).append(msg("must be at most {count} characters", count=max_len))
        return None
    return text or None


def fold_name(name: str) -> str:
    """The form of a subject's name its dispositions are kept under: the matcher's normal form
    (widths, brackets, spaces and punctuation, traditional characters and Latin case folded)."""
    return normalise_name(name)


def subject_key(name: str | None, code: str | None, code_valid: bool) -> str:
    """Who a subject is, for dispositions: its code when it gave a valid one, else its name."""
    if code and (code_valid or not name):
        return f"uscc:{code}"[:300]
    return f"name:{fold_name(name or '')}"[:300]


@dataclass
class Subject:
    index: int
    name: str | None
    uscc: str | None  # normalised as given
    role: str | None
    consortium: str | None
    query_code: str | None  # what the matcher is asked with (None: the placeholder)
    key: str
    notes: list[Text]  # what the reasons say of the subject as given (messages: registry/messages)
    usable_name: bool  # False: no name, or one with nothing to compare (only punctuation)
    screenable: bool  # False: no usable name and no usable code
    legal_rep: PersonInput | None = None
    person: PersonInput | None = None  # the subject's own ID: a natural person such as an expert

    def request_form(self) -> dict[str, Any]:
        form: dict[str, Any] = {"name": self.name, "uscc": self.uscc, "role": self.role, "consortium": self.consortium}
        if self.legal_rep is not None:
            form["legal_representative"] = self.legal_rep.request_form()
        if self.person is not None:
            form["id_type"], form["id_number_masked"] = self.person.id_type, self.person.masked
        return form

    def person_queries(self, vault: IdentityVault | None) -> list[PersonQuery]:
        """Who to look up among the 失信相关人; the vault only fingerprints numbers given."""
        asked = [(p, c) for p, c in ((self.legal_rep, "legal_representative"), (self.person, "self")) if p]
        if any(p.number for p, _ in asked):
            vault = identity_vault(vault)
        return [p.query(self.index, c, vault) for p, c in asked]


def _read_code(code: str) -> tuple[bool, Msg | None]:
    """Whether a normalised code (not the placeholder) can find a listed entity, and the note
    that says what it is. Besides a 统一社会信用代码, bidders still give the codes used before it:
    a 9-character 组织机构代码 (GB 11714) is characters 9–17 of a USCC (GB 32100), so the matcher
    compares it with those of the listed codes; a 15-digit 注册号 is in no USCC and is not used."""
    if len(code) == 9:
        if is_valid_organisation_code(code):
            return True, msg(
                "uscc {code} is a 9-character 组织机构代码 (GB 11714): compared with characters 9–17 of listed "
                "统一社会信用代码",
                code=code,
            )
        if not (code[:8].isascii() and code[:8].isalnum()):  # normalised: upper case
            why = msg("characters 1–8 must be digits or capital letters")
        else:
            why = msg(
                "check character is wrong: expected {expected!r}, got {got!r}",
                expected=organisation_check(code[:8]),
                got=code[8],
            )
        return False, msg(
            "uscc {code} is neither a 统一社会信用代码 nor a valid 9-character 组织机构代码 (GB 11714: {why}); the "
            "code is not used",
            code=code,
            why=why,
        )
    if len(code) == 15 and code.isdigit():
        if is_registration_number(code):
            return False, msg(
                "uscc {code} is a 15-digit 注册号 (business-licence number), which no 统一社会信用代码 contains: it "
                "cannot be compared with listed codes and is not used",
                code=code,
            )
        return False, msg(
            "uscc {code} is neither a 统一社会信用代码 nor a valid 15-digit 注册号 (check digit is wrong); the code "
            "is not used",
            code=code,
        )
    try:
        validate_uscc(code)
    except USCCError as exc:
        # USCCError says what is wrong, in English or as a message of the catalogue
        problem: Text = exc.args[0] if exc.args and isinstance(exc.args[0], str | Msg) else str(exc)
        return False, msg(
            "uscc {code} is not a valid 统一社会信用代码 ({why}); the code is not used", code=code, why=problem
        )
    return True, None


def read_subject(index: int, raw: Any, errors: dict[str, list[Text]]) -> Subject | None:
    field = f"subjects.{index}"
    if not isinstance(raw, dict):
        errors.setdefault(field, []).append("must be an object with name and/or uscc")
        return None
    unknown = sorted(set(raw) - set(_MAX_LENGTHS) - set(_PERSON_FIELDS))
    if unknown:
        errors.setdefault(field, []).append(msg("unknown field(s) {names}", names=", ".join(unknown)))
    name, raw_code, role, consortium = (
        clean_field(raw.get(f), f"{field}.{f}", _MAX_LENGTHS[f], errors) for f in ("name", "uscc", "role", "consortium")
    )
    # A screening is kept as evidence and shown to others: a personal ID number typed in by mistake
    # (a natural person's number in the code column) is kept masked, never in full.
    name, raw_code, role, consortium = (
        None if text is None else mask_resident_ids(text) for text in (name, raw_code, role, consortium)
    )
    # …also once the code is normalised (full-width digits, spaces inside).
    code = mask_resident_ids(normalise_uscc(raw_code)) if raw_code else None
    legal_rep, person = read_subject_persons(raw, field, errors)
    if not name and not code:
        errors.setdefault(field, []).append("a subject needs a name or a 统一社会信用代码 (uscc)")
        return None
    notes: list[Text] = []
    query_code, valid = code, False
    usable_name = bool(name) and not parse_name(name or "").is_empty
    if code == INDIVIDUAL_BUSINESS_PLACEHOLDER:
        query_code = None
        notes.append(msg("uscc is the 个体工商户 placeholder, which identifies no one; screened by name only"))
    elif code:
        valid, note = _read_code(code)
        if note is not None and not valid and usable_name:
            note = msg("{note}; screened by name only", note=note)
        if note is not None:
            notes.append(note)
    if name and not usable_name:
        notes.append(msg("name {name!r} has nothing to compare (only punctuation or brackets)", name=name))
    screenable = usable_name or valid
    if not screenable:
        notes.append(msg("no usable name and no usable code: this subject could not be screened"))
    return Subject(
        index,
        name,
        code,
        role,
        consortium,
        query_code,
        subject_key(name, code, valid),
        notes,
        usable_name,
        screenable,
        legal_rep,
        person,
    )


def _refused(errors: dict[str, list[Text]]) -> Msg:
    """The one-line message of a refused request: the first few fields and their reasons (a request
    of a thousand subjects may refuse as many), and how many more."""
    details: Text = said(dict(list(errors.items())[:SHOWN_REFUSALS]))
    if len(errors) > SHOWN_REFUSALS:
        details = msg("{details}; and {count} more", details=details, count=len(errors) - SHOWN_REFUSALS)
    return msg("invalid input: {details}", details=details)


def read_request(data: dict[str, Any]) -> tuple[dict[str, Any], list[Subject]]:
    errors: dict[str, list[Text]] = {}
    domain = data.get("domain")
    if domain not in DOMAINS:
        errors["domain"] = [msg("must be one of {values}", values=", ".join(DOMAINS))]
    project_code = clean_field(data.get("project_code"), "project_code", 100, errors)
    if project_code is None and "project_code" not in errors:
        errors["project_code"] = ["must not be empty (采购项目编号, 项目报建编号 …)"]
    stage = clean_field(data.get("stage"), "stage", 50, errors)
    raw_subjects = data.get("subjects")
    subjects: list[Subject] = []
    if not isinstance(raw_subjects, list):
        errors["subjects"] = [msg("give 1 to {most} subjects as a list", most=MAX_SUBJECTS)]
    elif not 1 <= len(raw_subjects) <= MAX_SUBJECTS:
        errors["subjects"] = [msg("give 1 to {most} subjects, got {got}", most=MAX_SUBJECTS, got=len(raw_subjects))]
    else:
        for i, raw in enumerate(raw_subjects):
            found = read_subject(i, raw, errors)
            if found is not None:
                subjects.append(found)
    if errors:
        raise InvalidInput(_refused(errors), errors)
    request = {
        "domain": domain,
        "project_code": project_code,
        "stage": stage,
        "subjects": [s.request_form() for s in subjects],
    }
    return request, subjects
