"""Validation of the visitor forms: pure functions returning (clean values, errors by field)."""

from __future__ import annotations

import re

EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[^@\s<>\"']+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{6,30}$")
LANGUAGES = ("", "English", "Chinese", "Spanish", "French", "German", "Other")


def _check_email(raw: str, errors: dict[str, str]) -> str:
    if not raw:
        errors["email"] = "Please give an email address."
    elif len(raw) > 254 or not EMAIL.match(raw):
        errors["email"] = "This does not look like an email address."
    return raw


def contact(form: dict[str, str]) -> tuple[dict[str, str | None], dict[str, str]]:
    errors: dict[str, str] = {}
    name = form.get("name", "")
    if not name:
        errors["name"] = "Please give your name."
    elif len(name) > 200:
        errors["name"] = "Please keep the name under 200 characters."
    email = _check_email(form.get("email", ""), errors)
    phone = form.get("phone", "")
    if phone and not PHONE.match(phone):
        errors["phone"] = "Use digits, spaces, + - ( ) only (6 to 30 characters)."
    language = form.get("language", "")
    if language not in LANGUAGES:
        errors["language"] = "Choose a language from the list."
    message = form.get("message", "")
    if len(message) > 2000:
        errors["message"] = "Please keep the message under 2000 characters."
    if form.get("consent") != "on":
        errors["consent"] = "Please agree that the study team may contact you."
    clean = {
        "name": name,
        "email": email,
        "phone": phone or None,
        "language": language or None,
        "message": message or None,
    }
    return clean, errors


def subscription(form: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    errors: dict[str, str] = {}
    email = _check_email(form.get("email", ""), errors)
    kind = form.get("kind", "trial")
    target = form.get("target", "")
    if kind not in ("trial", "search"):
        errors["kind"] = "Choose what to be notified about."
    if kind == "search" and not target:
        errors["target"] = "Say which condition or search to follow."
    if len(target) > 300:
        errors["target"] = "Please keep it under 300 characters."
    return {"email": email, "kind": kind, "target": target}, errors


def note(form: dict[str, str]) -> tuple[dict[str, str | None], dict[str, str]]:
    errors: dict[str, str] = {}
    body = form.get("body", "")
    quote = form.get("quote", "")[:2000]
    if not body and not quote:
        errors["body"] = "Write a note or select some text first."
    if len(body) > 5000:
        errors["body"] = "Please keep a note under 5000 characters."
    return {"body": body or "(highlight)", "quote": quote or None}, errors


def passcode(form: dict[str, str]) -> tuple[str, dict[str, str]]:
    code = form.get("passcode", "")
    errors = {}
    if len(code) < 6:
        errors["passcode"] = "Choose a passcode of at least 6 characters."
    elif len(code) > 200:
        errors["passcode"] = "Please keep the passcode under 200 characters."
    return code, errors


SHARE_EXPIRY_DAYS = ("", "1", "7", "30")  # "" = the link does not expire


def share_expiry(form: dict[str, str]) -> tuple[int | None, str | None]:
    """(seconds until the link expires or None, error): a choice from the list only."""
    days = form.get("expires", "")
    if days not in SHARE_EXPIRY_DAYS:
        return None, "Choose when the link expires from the list."
    return (int(days) * 86400 if days else None), None
