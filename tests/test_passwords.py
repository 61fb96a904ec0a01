"""The password policy: long enough, not common, not the email address."""

from __future__ import annotations

import pytest

from maturity.services.accounts import password_problems


@pytest.mark.parametrize(
    "password",
    ["three random words", "correct horse battery staple", "Wintry-Otter-Ledger-42"],
)
def test_good_passwords_are_accepted(password: str) -> None:
    assert password_problems(password, "someone@test.example") == []


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "12 characters or more"),
        ("password1234", "too easy to guess"),
        ("Password2024!", "too easy to guess"),
        ("qwertyuiop123", "too easy to guess"),
        ("aaaaaaaaaaaaaaaa", "too easy to guess"),
        ("x" * 129, "128 characters or fewer"),
        ("someone-secret-words", "must not contain your email address"),
    ],
)
def test_weak_passwords_are_refused(password: str, problem: str) -> None:
    problems = password_problems(password, "someone@test.example")
    assert problems and problem in problems[0]
