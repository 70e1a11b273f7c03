"""The sealed ballot box: the election key, its shares among trustees, sealing and opening.

Pure functions over bytes and integers, no database, no HTTP.

- The election key is an X25519 key pair (libsodium through PyNaCl). The web process seals each
  ballot to the public key (`Sealer`: X25519 + XSalsa20-Poly1305 with an ephemeral key pair of
  the process), so whoever reads the database sees ciphertexts only.
- The private key is split with Shamir's secret sharing over the prime field GF(2^521 - 1):
  any `threshold` shares rebuild it, any fewer reveal nothing about it (every secret is equally
  consistent with them). Each share comes with a commitment (SHA-256 of the share, bound to its
  budget) that the database keeps, so a wrong or mistyped share is detected and named.
- A ballot is `receipt|channel|choices JSON`, padded with spaces to a size fixed per budget
  (`padded_size`), so that the length of a ciphertext says nothing about its content.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nacl.exceptions import CryptoError
from nacl.public import Box, PrivateKey, PublicKey

PRIME = 2**521 - 1  # a Mersenne prime, far above 2^256: every 32-byte key is a field element
SHARE_PREFIX = "PART"


class ShareError(ValueError):
    """A share that cannot be used; `message` is an English msgid with `{placeholders}`."""

    def __init__(self, message: str, values: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.values = dict(values or {})


@dataclass(frozen=True)
class Share:
    budget_id: int
    x: int  # the trustee's position, 1..n
    y: int

    def text(self) -> str:
        """What a trustee keeps: `PART-<budget>-<position>-<hex>`, hex in groups of 8."""
        digits = f"{self.y:0132x}"
        groups = "-".join(digits[i : i + 8] for i in range(0, len(digits), 8))
        return f"{SHARE_PREFIX}-{self.budget_id}-{self.x}-{groups}"


def commitment(share: Share) -> str:
    """What the database keeps of a share: enough to recognise it, nothing to rebuild it."""
    return hashlib.sha256(f"share|{share.budget_id}|{share.x}|{share.y:x}".encode()).hexdigest()


def parse_share(text: str) -> Share:
    """A share as typed or pasted: spaces, line breaks and case do not matter."""
    compact = re.sub(r"\s+", "", text).upper()
    match = re.fullmatch(rf"{SHARE_PREFIX}-(\d{{1,9}})-(\d{{1,3}})-([0-9A-F-]+)", compact)
    if match is None:
        raise ShareError("This is not a key share: it starts with PART- followed by numbers.")
    digits = match.group(3).replace("-", "")
    if len(digits) != 132:
        raise ShareError("This key share is incomplete: check that it was copied whole.")
    y = int(digits, 16)
    if y >= PRIME:
        raise ShareError("This key share is incomplete: check that it was copied whole.")
    return Share(int(match.group(1)), int(match.group(2)), y)


def split(secret: bytes, threshold: int, count: int, budget_id: int) -> list[Share]:
    """`count` shares of `secret`, any `threshold` of which rebuild it."""
    if not 1 <= threshold <= count <= 50:
        raise ValueError("1 <= threshold <= count <= 50")
    value = int.from_bytes(secret, "big")
    if value >= PRIME:
        raise ValueError("secret too large for the field")
    coefficients = [value] + [secrets.randbelow(PRIME) for _ in range(threshold - 1)]
    shares = []
    for x in range(1, count + 1):
        y = 0
        for coefficient in reversed(coefficients):  # Horner
            y = (y * x + coefficient) % PRIME
        shares.append(Share(budget_id, x, y))
    return shares


def combine(shares: Sequence[Share], size: int = 32) -> bytes:
    """The secret at x = 0 (Lagrange interpolation) from distinct shares; with fewer shares
    than the threshold this gives a value unrelated to the secret (check it: `check_key`)."""
    secret = interpolate(shares)
    if secret >= 2 ** (8 * size):
        return b"\xff" * size  # not the key: check_key refuses it
    return secret.to_bytes(size, "big")


def interpolate(shares: Sequence[Share]) -> int:
    """The polynomial through `shares`, at x = 0."""
    xs = [share.x for share in shares]
    if len(set(xs)) != len(xs) or not shares:
        raise ValueError("distinct shares needed")
    secret = 0
    for share in shares:
        numerator, denominator = 1, 1
        for other in shares:
            if other.x != share.x:
                numerator = numerator * (-other.x) % PRIME
                denominator = denominator * (share.x - other.x) % PRIME
        secret = (secret + share.y * numerator * pow(denominator, -1, PRIME)) % PRIME
    return secret


def new_key_pair() -> tuple[bytes, bytes]:
    """(private, public), 32 bytes each."""
    private = PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def check_key(private: bytes, public_hex: str) -> bool:
    """Whether `private` is the private half of the budget's public key."""
    return hmac.compare_digest(bytes(PrivateKey(private).public_key).hex(), public_hex)


@dataclass(frozen=True)
class BallotContent:
    """What a sealed ballot holds: the receipt, the channel, the choices as JSON (`{"project
    id": points or rank}`, keys sorted). Nothing of the person: not even their district."""

    receipt: str
    channel: str
    choices: str

    def text(self) -> str:
        return f"{self.receipt}|{self.channel}|{self.choices}"


def padded_size(project_count: int) -> int:
    """The plaintext size of every ballot of a budget: room for every project chosen (`"id":
    points, ` with an id of up to 9 digits and up to 3 digits of points or rank), the receipt
    and the channel; a multiple of 64 bytes. (Points above 999 would overflow it: `seal`
    then pads to the next multiple of 64, and the size tells that much.)"""
    needed = 64 + 18 * project_count
    return -(-needed // 64) * 64


class Sealer:
    """Seals ballots to one budget's public key with an ephemeral key pair of this process.

    X25519 + XSalsa20-Poly1305 (libsodium `crypto_box`), a random nonce per ballot, the
    process's ephemeral public key in front: `ephemeral public key (32) | nonce (24) | box`.
    Like a sealed box, only the holder of the budget's private key can open it (the ephemeral
    private key lives in this process's memory only); unlike one, the X25519 exchange is done
    once per process and budget instead of once per ballot: a ballot costs ~5 µs to seal and
    to open instead of ~50, on the vote's hot path and for the 100,000 ballots of a count."""

    def __init__(self, public_hex: str) -> None:
        ephemeral = PrivateKey.generate()
        self._prefix = bytes(ephemeral.public_key)
        self._box = Box(ephemeral, PublicKey(bytes.fromhex(public_hex)))

    def seal(self, content: BallotContent, size: int) -> bytes:
        raw = content.text().encode()
        target = max(size, -(-len(raw) // 64) * 64)
        return self._prefix + bytes(self._box.encrypt(raw.ljust(target, b" ")))


_SEALERS: dict[str, Sealer] = {}


def seal(public_hex: str, content: BallotContent, size: int) -> bytes:
    """`content`, padded with spaces to `size` bytes (to the next multiple of 64 if longer,
    which a ballot of the budget's own projects never is), sealed to `public_hex`."""
    sealer = _SEALERS.get(public_hex)
    if sealer is None:
        if len(_SEALERS) >= 100:
            _SEALERS.clear()
        sealer = _SEALERS[public_hex] = Sealer(public_hex)
    return sealer.seal(content, size)


class Opener:
    """Opens the ballots of one budget with its rebuilt private key."""

    def __init__(self, private: bytes) -> None:
        self._private = PrivateKey(private)
        self._boxes: dict[bytes, Box] = {}  # one X25519 exchange per sealing process

    def open(self, sealed: bytes) -> BallotContent:
        try:
            ephemeral = sealed[:32]
            box = self._boxes.get(ephemeral)
            if box is None:
                box = self._boxes[ephemeral] = Box(self._private, PublicKey(ephemeral))
            text = box.decrypt(sealed[32:]).decode().rstrip(" ")
        except (CryptoError, UnicodeDecodeError, ValueError) as error:
            raise ValueError("a ballot cannot be opened") from error
        receipt, channel, choices = text.split("|", 2)
        return BallotContent(receipt, channel, choices)

    def open_all(self, sealed: Iterable[bytes]) -> list[BallotContent]:
        return [self.open(item) for item in sealed]
