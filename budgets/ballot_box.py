"""The sealed ballot box of a budget: the key ceremony, the trustees' shares, the opening.

- `generate_key` (the ceremony, before voting opens): a new election key; the database keeps
  its public half, the threshold, and per trustee the position and commitment of their share.
  The shares are returned to the caller, which hands each to its trustee once (web: Redis for
  a few minutes, `hold_shares_for_pickup`; demo and tests: in memory), never to the database.
- `open_ballots` (the count, once voting is closed): the trustees' shares rebuild the private
  key, checked against the public key; every sealed ballot is opened in a random order, and the
  anonymised ballots are stored under new random ids, inserted in a random order, in the same
  transaction that deletes the sealed ones. Then the usual count (`tallying.tally_and_store`)
  runs on them, as on any clear ballots.
- Shares given through the web wait in Redis (`add_share`, a short TTL) until enough are in;
  the `open_budget_ballots` job takes them, opens, and deletes them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import random
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from nacl.exceptions import CryptoError
from nacl.secret import SecretBox
from tortoise import connections, timezone
from tortoise.transactions import in_transaction

from budgets import urn
from budgets.models import Ballot, Budget, BudgetTrustee, Channel, Phase, SealedBallot
from budgets.tallying import tally_and_store
from participation.accounts.models import User
from participation.audit import audit
from participation.i18n import N_
from participation.refusals import Refused, refuse

SHARE_TTL = 15 * 60  # seconds a share waits in Redis (for its trustee, or for the others)
PICKUP_KEY = "budgets:share-pickup:{budget}:{user}"
# the ceremony may be held again until voting opens: no ballot is sealed to the key yet
KEY_REPLACEABLE_IN = (Phase.PREPARATION, Phase.SUBMISSION, Phase.REVIEW)
SHARES_KEY = "budgets:shares:{budget}"
_random = random.SystemRandom()


# --- the ceremony ----------------------------------------------------------------------------


async def generate_key(
    budget_id: int,
    trustees: Sequence[User | None],
    threshold: int,
    by_user: User | None = None,
    *,
    held_for_pickup: bool = False,
) -> list[tuple[User | None, urn.Share]]:
    """The key ceremony: returns each trustee with their share, to be shown to them once.

    `trustees` are staff accounts (None: a trustee without an account, for the demo and
    tests); any `threshold` of them can open the ballots, fewer cannot. `held_for_pickup`:
    the shares of accounts wait for their trustee (web), who holds it once shown
    (`pick_up_share`); otherwise the caller hands every share over now.

    Until voting opens the ceremony may be held again (a trustee missed their pick-up, staff
    changed): the new key replaces the old one, whose shares become useless.
    """
    count = len(trustees)
    ids = [t.id for t in trustees if t is not None]
    if count == 0:
        raise refuse(N_("Choose at least one trustee."), "trustees")
    if len(set(ids)) != len(ids):
        raise refuse(N_("Choose each trustee once."), "trustees")
    if any(t is not None and not t.is_admin for t in trustees):
        raise refuse(N_("Trustees must be council staff accounts."), "trustees")
    if not 1 <= threshold <= count:
        raise refuse(
            N_("The number of shares needed must be between 1 and {n}."),
            "threshold",
            n=count,
        )
    private, public = urn.new_key_pair()
    shares = urn.split(private, threshold, count, budget_id)
    del private
    async with in_transaction():
        # the row lock orders this against a phase switch, which checks the key it read
        budget = await Budget.filter(id=budget_id).select_for_update().get()
        replaced = budget.ballot_public_key
        if budget.phase in (Phase.TALLY, Phase.RESULTS) or budget.imported_from:
            raise refuse(N_("The ballot box key is generated before voting opens."))
        if replaced is not None and budget.phase not in KEY_REPLACEABLE_IN:
            raise refuse(N_("Voting has opened: the ballot box key can no longer be replaced."))
        if await Ballot.filter(budget_id=budget_id).exists():
            raise refuse(N_("Ballots were already cast in clear: this vote ends as it started."))
        await Budget.filter(id=budget_id).update(
            ballot_public_key=public.hex(), ballot_key_threshold=threshold
        )
        await BudgetTrustee.filter(budget_id=budget_id).delete()
        now = timezone.now()
        for trustee, share in zip(trustees, shares, strict=True):
            await BudgetTrustee.create(
                budget_id=budget_id,
                user=trustee,
                position=share.x,
                commitment=urn.commitment(share),
                kept_at=None if held_for_pickup and trustee is not None else now,
            )
        before = {"key": digest_of_key(replaced)} if replaced else ""
        after = {"trustees": ids, "count": count, "threshold": threshold}
        await audit(by_user, "budget_key_ceremony", "budget", budget_id, before, after)
    return list(zip(trustees, shares, strict=True))


async def trustee_accounts(budget_id: int) -> list[int]:
    """The accounts of the current key's trustees."""
    trustees = await BudgetTrustee.filter(budget_id=budget_id, user_id__isnull=False)
    return [t.user_id for t in trustees if t.user_id is not None]


async def hold_shares_for_pickup(
    redis: Any,
    budget_id: int,
    shares: Sequence[tuple[User | None, urn.Share]],
    previous_trustees: Sequence[int] = (),
) -> None:
    """Keep each trustee's share in Redis (not the database) until they show it, SHARE_TTL;
    the shares of a replaced key that still wait for `previous_trustees` are dropped."""
    for user_id in previous_trustees:
        await redis.delete(PICKUP_KEY.format(budget=budget_id, user=user_id))
    for trustee, share in shares:
        if trustee is not None:
            key = PICKUP_KEY.format(budget=budget_id, user=trustee.id)
            await redis.set(key, share.text(), ex=SHARE_TTL)


async def pick_up_share(redis: Any, budget_id: int, user_id: int) -> str | None:
    """The trustee's share, once: read and deleted in one command, and the trustee recorded as
    holding it. None when nothing waits, or when what waited belongs to a key since replaced
    (a new ceremony): a share of the old key would open nothing."""
    value = await redis.getdel(PICKUP_KEY.format(budget=budget_id, user=user_id))
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else value
    share = urn.parse_share(text)
    kept = await BudgetTrustee.filter(
        budget_id=budget_id,
        user_id=user_id,
        position=share.x,
        commitment=urn.commitment(share),
    ).update(kept_at=timezone.now())
    return text if kept else None


async def share_waiting(redis: Any, budget_id: int, user_id: int) -> bool:
    return bool(await redis.exists(PICKUP_KEY.format(budget=budget_id, user=user_id)))


# --- receipts held for the voter ------------------------------------------------------------


def receipt_key(session_token: str | None, budget_id: int) -> bytes | None:
    """A key only the voter's browser can rebuild (from its session token, of which the
    database keeps a hash only): it encrypts the receipt stored next to the sealed ballot, so
    the receipt page shows the receipt of the ballot that was stored last."""
    if not session_token:
        return None
    return hmac.new(session_token.encode(), f"receipt|{budget_id}".encode(), "sha256").digest()


def box_receipt(key: bytes | None, receipt: str) -> bytes | None:
    return bytes(SecretBox(key).encrypt(receipt.encode())) if key else None


def unbox_receipt(key: bytes | None, box: bytes | None) -> str | None:
    if not key or not box:
        return None
    try:
        return SecretBox(key).decrypt(bytes(box)).decode()
    except CryptoError:
        return None


# --- the opening -----------------------------------------------------------------------------


async def check_share(budget_id: int, text: str) -> urn.Share:
    """A share of this budget whose commitment matches its trustee's; refused otherwise."""
    try:
        share = urn.parse_share(text)
    except urn.ShareError as error:
        raise refuse(error.message, "share", **error.values) from None
    if share.budget_id != budget_id:
        raise refuse(
            N_("This key share belongs to another budget (number {number})."),
            "share",
            number=share.budget_id,
        )
    trustee = await BudgetTrustee.get_or_none(budget_id=budget_id, position=share.x)
    if trustee is None or not hmac.compare_digest(trustee.commitment, urn.commitment(share)):
        raise refuse(
            N_(
                "The key share of trustee number {position} is wrong: check it, character by "
                "character."
            ),
            "share",
            position=share.x,
        )
    return share


OPENED_COLUMNS = ("id", "budget_id", "receipt", "district", "channel", "choices")


async def _store_opened(rows: list[tuple[Any, ...]], postgres: bool) -> None:
    """Insert the anonymised ballots in the order given, inside the caller's transaction:
    COPY on PostgreSQL (100,000 rows in about a second), executemany on SQLite. No token, no
    date (`cast_on` stays null)."""
    client = connections.get("default")
    if postgres:
        async with client.acquire_connection() as connection:
            await connection.copy_records_to_table(
                "budgets_ballot", records=rows, columns=list(OPENED_COLUMNS)
            )
        return
    columns = ", ".join(f'"{name}"' for name in OPENED_COLUMNS)
    marks = ", ".join("?" for _ in OPENED_COLUMNS)
    await client.execute_many(f'INSERT INTO "budgets_ballot" ({columns}) VALUES ({marks})', rows)


def _decrypt(private: bytes, sealed: list[bytes]) -> list[urn.BallotContent]:
    """Open every ballot, on two threads (libsodium releases the GIL)."""
    opener = urn.Opener(private)
    half = len(sealed) // 2
    if half < 500:
        return opener.open_all(sealed)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parts = list(pool.map(opener.open_all, [sealed[:half], sealed[half:]]))
    return parts[0] + parts[1]


async def open_ballots(
    budget_id: int, share_texts: Sequence[str], by_user: User | None = None
) -> int:
    """Open the sealed ballots of a closed vote with the trustees' shares, store them
    anonymised and count them. Returns the number of ballots opened. Refused (nothing stored)
    with too few shares or a wrong one."""
    budget = await Budget.get(id=budget_id)
    if budget.ballot_public_key is None:
        raise refuse(N_("This budget's ballots are not sealed: there is nothing to open."))
    if budget.phase not in (Phase.TALLY, Phase.RESULTS):
        raise refuse(N_("The ballots are opened once voting is closed."))
    if budget.ballots_opened_at is not None:
        raise refuse(N_("The ballots of this budget are already opened and counted."))
    shares: dict[int, urn.Share] = {}
    for text in share_texts:
        share = await check_share(budget_id, text)
        shares[share.x] = share
    threshold = budget.ballot_key_threshold or 1
    if len(shares) < threshold:
        raise refuse(
            N_("{given} key shares out of the {needed} needed: ask another trustee."),
            "share",
            given=len(shares),
            needed=threshold,
        )
    private = urn.combine(list(shares.values())[:threshold])
    if not urn.check_key(private, budget.ballot_public_key):
        raise refuse(N_("These key shares do not rebuild the ballot box key."), "share")
    rows = await SealedBallot.filter(budget_id=budget_id).values_list("sealed", flat=True)
    sealed = [bytes(row) for row in rows]  # type: ignore[arg-type]
    _random.shuffle(sealed)  # opened in a random order
    contents = await asyncio.to_thread(_decrypt, private, sealed)
    del private
    postgres = connections.get("default").capabilities.dialect == "postgres"
    ballots = [
        (
            uuid.uuid4() if postgres else str(uuid.uuid4()),
            budget_id,
            content.receipt,
            None,  # no district: the sealed ballot never had it
            Channel(content.channel).value,
            content.choices,
        )
        for content in contents
    ]
    _random.shuffle(ballots)  # stored in a random order, under random ids
    async with in_transaction():
        locked = await Budget.filter(id=budget_id).select_for_update().get()
        if locked.ballots_opened_at is not None:
            raise refuse(N_("The ballots of this budget are already opened and counted."))
        await _store_opened(ballots, postgres)
        await SealedBallot.filter(budget_id=budget_id).delete()
        await Budget.filter(id=budget_id).update(ballots_opened_at=timezone.now())
        after = {"ballots": len(ballots), "shares": sorted(shares)}
        await audit(by_user, "budget_ballots_opened", "budget", budget_id, "", after)

    await tally_and_store(budget_id)
    return len(ballots)


async def add_share(redis: Any, budget_id: int, text: str) -> tuple[int, int]:
    """A trustee's share for the count, checked, then held in Redis (SHARE_TTL; never in the
    database). Returns (shares held, shares needed)."""
    budget = await Budget.get(id=budget_id)
    if budget.ballot_public_key is None or budget.ballots_opened_at is not None:
        raise refuse(N_("This budget's ballots are not sealed: there is nothing to open."))
    if budget.phase not in (Phase.TALLY, Phase.RESULTS):
        raise refuse(N_("The ballots are opened once voting is closed."))
    share = await check_share(budget_id, text)
    key = SHARES_KEY.format(budget=budget_id)
    await redis.hset(key, str(share.x), share.text())
    await redis.expire(key, SHARE_TTL)
    return int(await redis.hlen(key)), budget.ballot_key_threshold or 1


async def shares_held(redis: Any, budget_id: int) -> int:
    return int(await redis.hlen(SHARES_KEY.format(budget=budget_id)))


async def open_with_held_shares(redis: Any, budget_id: int) -> str:
    """The job: open the ballots with the shares held in Redis, then forget the shares."""
    key = SHARES_KEY.format(budget=budget_id)
    try:
        held = await redis.hgetall(key)
        texts = [v.decode() if isinstance(v, bytes) else v for v in held.values()]
        count = await open_ballots(budget_id, texts)
    except Refused:
        return "refused"
    finally:
        await redis.delete(key)
    return f"opened {count}"


def digest_of_key(public_hex: str) -> str:
    """A short fingerprint of the public key, shown to staff and trustees."""
    return hashlib.sha256(bytes.fromhex(public_hex)).hexdigest()[:16]
