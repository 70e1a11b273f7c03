"""Sealed boxes for what a copy of the database must not read (issue #16): anonymous
consultation answers, and the secret links (password reset, e-mail confirmation) of e-mails
waiting in the outbox (`secret_box`).

A sealed box (libsodium `crypto_box_seal`, X25519 + XSalsa20-Poly1305, through PyNaCl) can be
made with a public key alone and opened only with the private key. Each anonymous consultation
has its own key pair, derived from `ANSWERS_KEY`, a setting kept outside the database and
independent of `SECRET_KEY`: whoever holds a copy of the database, even with `SECRET_KEY`, holds
ciphertexts only. The trap: whatever is written at submission (rowid, `xmin`, ids, dates) can
always be lined up with the participant row written just before it; only the key protects the
content, so nothing else written at submission may carry it (no text in clear, no digest).

Plaintexts are padded to a size bucket (1 KiB, then ×4) so that the length of a box tells
little of what it holds: only whether the response holds a lot of free text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from functools import lru_cache
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

KEY_BYTES = 32
FIRST_BUCKET = 1024  # bytes of padded plaintext: a response without long texts fits
BUCKET_GROWTH = 4


class SealingError(Exception):
    """A box that does not open with this key (wrong ANSWERS_KEY, or altered)."""


def parse_key(raw: str) -> bytes:
    """`ANSWERS_KEY` is 32 random bytes in base64 (`participation answers-key` prints one)."""
    try:
        key = base64.b64decode(raw.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("ANSWERS_KEY must be base64 (32 random bytes)") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"ANSWERS_KEY must hold {KEY_BYTES} bytes, not {len(key)}")
    return key


def new_key() -> str:
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()


def development_key(data_dir: Path) -> bytes:
    """Generated once into DATA_DIR (mode 600) outside production, like the development
    SECRET_KEY: losing the file makes the anonymous answers of this machine unreadable."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / "answers_key"
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(new_key())
        key_file.chmod(0o600)
    return parse_key(key_file.read_text())


def _derive(master: bytes, purpose: str) -> bytes:
    return hmac.new(master, purpose.encode(), hashlib.sha256).digest()


@lru_cache(maxsize=256)
def private_key(master: bytes, consultation_id: int) -> PrivateKey:
    """The consultation's private key: derived, never stored."""
    return PrivateKey(_derive(master, f"consultation-answers|{int(consultation_id)}"))


def public_key(master: bytes, consultation_id: int) -> PublicKey:
    return private_key(master, consultation_id).public_key


def lookup_token(master: bytes, consultation_id: int, who: str) -> str:
    """Finds a person's response again (to edit it). Keyed with ANSWERS_KEY, not SECRET_KEY:
    with SECRET_KEY and the database one cannot compute a person's token."""
    key = _derive(master, "consultation-lookup")
    message = f"consultation|{int(consultation_id)}|{who}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def bucket(size: int) -> int:
    """The padded size for `size` bytes of framed plaintext."""
    padded = FIRST_BUCKET
    while padded < size:
        padded *= BUCKET_GROWTH
    return padded


def pad(data: bytes) -> bytes:
    framed = len(data).to_bytes(4, "big") + data
    return framed + bytes(bucket(len(framed)) - len(framed))


def unpad(padded: bytes) -> bytes:
    size = int.from_bytes(padded[:4], "big")
    if size > len(padded) - 4:
        raise SealingError("padding")
    return padded[4 : 4 + size]


def seal(key: PublicKey, data: bytes) -> bytes:
    return SealedBox(key).encrypt(pad(data))  # type: ignore[no-any-return]


def unseal(key: PrivateKey | SealedBox, box: bytes) -> bytes:
    """Open one box (pass a `SealedBox(private key)` to open many with one key)."""
    opener = key if isinstance(key, SealedBox) else SealedBox(key)
    try:
        return unpad(opener.decrypt(bytes(box)))
    except CryptoError:
        raise SealingError("this box does not open with this key") from None


def secret_box(master: bytes) -> SecretBox:
    """Encrypts the secret part of an e-mail until it is sent (participation.mail): a copy of
    the database, even with SECRET_KEY, holds no link that opens an account."""
    return SecretBox(_derive(master, "mail-outbox-secrets"))


def encrypt(master: bytes, text: str) -> bytes:
    return bytes(secret_box(master).encrypt(text.encode()))


def decrypt(master: bytes, box: bytes) -> str:
    try:
        return bytes(secret_box(master).decrypt(bytes(box))).decode()
    except CryptoError:
        raise SealingError("this box does not open with this key") from None
