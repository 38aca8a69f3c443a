"""Secrets PowerRAG must use again later (LLM connection keys, alert signing secrets),
encrypted at rest.

The key is derived (HKDF-SHA256) from a random instance secret kept in the database's
`instance_secrets` (every replica reads the same one); values are Fernet tokens
(AES-128-CBC with HMAC-SHA256, https://cryptography.io/en/latest/fernet/). A database
dump without that row reveals no key; one with it does, as for every self-hosted secret.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_NAME = "llm-connection-key"
_INFO = b"powerrag llm connection secrets v1"


class UnreadableSecretError(Exception):
    """A stored secret cannot be decrypted (the instance secret changed or the row was edited)."""


def _fernet(master: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        master.encode()
    )
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(master: str, plaintext: bytes) -> str:
    return _fernet(master).encrypt(plaintext).decode()


def unseal(master: str, token: str) -> bytes:
    try:
        return _fernet(master).decrypt(token.encode())
    except InvalidToken:
        raise UnreadableSecretError("the stored key cannot be decrypted; save it again") from None


def masked(secret: str) -> str:
    """What is shown instead of a key: never more than its last four characters."""
    return f"...{secret[-4:]}" if len(secret) >= 12 else "..."
