"""A password check costs the same whether or not the user exists: no user name is told by its timing."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from prorata.adapters import passwords


@pytest.fixture
def scrypt_calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    real = hashlib.scrypt

    def counted(password: bytes, **parameters: Any) -> bytes:
        calls.append({k: v for k, v in parameters.items() if k != "salt"})
        return real(password, **parameters)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    return calls


def test_a_user_without_a_password_is_checked_with_the_same_work_as_one_with(
    scrypt_calls: list[dict[str, Any]],
) -> None:
    stored = passwords.hash_password("correct horse")
    scrypt_calls.clear()
    assert passwords.check_password("correct horse", stored)
    assert not passwords.check_password("wrong", stored)
    assert not passwords.check_password("correct horse", None)
    assert not passwords.check_password("", "not a hash")
    assert len(scrypt_calls) == 4
    assert all(call == scrypt_calls[0] for call in scrypt_calls), scrypt_calls
