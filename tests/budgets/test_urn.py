"""The sealed ballot box, pure: Shamir's secret sharing, share texts, sealing and padding."""

from __future__ import annotations

import itertools
import json
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets import urn


def test_any_k_of_n_shares_rebuild_the_key() -> None:
    private, public = urn.new_key_pair()
    shares = urn.split(private, 2, 3, budget_id=7)
    for pair in itertools.permutations(shares, 2):
        assert urn.combine(list(pair)) == private
        assert urn.check_key(urn.combine(list(pair)), public.hex())
    assert urn.combine(shares) == private  # more than k is fine too


@settings(max_examples=30, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda n: st.tuples(st.just(n), st.integers(min_value=1, max_value=n))
    ),
    st.binary(min_size=32, max_size=32),
    st.randoms(use_true_random=False),
)
def test_every_subset_of_threshold_size_rebuilds_the_secret(
    sizes: tuple[int, int], secret: bytes, rng: object
) -> None:
    count, threshold = sizes
    shares = urn.split(secret, threshold, count, budget_id=1)
    chosen = rng.sample(shares, threshold)  # type: ignore[attr-defined]
    assert urn.combine(chosen) == secret


def test_fewer_shares_than_the_threshold_are_consistent_with_every_secret() -> None:
    """k-1 shares reveal nothing: whatever the secret, one k-th point makes it the answer.

    The value at 0 of the polynomial through the k-1 shares and (x_k, y) is affine in y with a
    nonzero slope, so as y runs over the field the secret runs over every value, once each:
    the k-1 shares leave every secret equally possible."""
    secret = secrets.token_bytes(32)
    shares = urn.split(secret, 3, 5, budget_id=1)
    known = shares[:2]
    at_0 = urn.interpolate([*known, urn.Share(1, 4, 0)])
    at_1 = urn.interpolate([*known, urn.Share(1, 4, 1)])
    slope = (at_1 - at_0) % urn.PRIME
    assert slope != 0
    for target in (0, 1, int.from_bytes(secret, "big"), 2**255 + 12345):
        y = (target - at_0) * pow(slope, -1, urn.PRIME) % urn.PRIME
        assert urn.interpolate([*known, urn.Share(1, 4, y)]) == target
    # and with only k-1 shares, the interpolation gives something else than the secret
    assert urn.interpolate(known) != int.from_bytes(secret, "big")


def test_a_wrong_share_is_detected_by_its_commitment_and_does_not_rebuild_the_key() -> None:
    private, public = urn.new_key_pair()
    shares = urn.split(private, 2, 3, budget_id=4)
    wrong = urn.Share(4, 2, (shares[1].y + 1) % urn.PRIME)
    assert urn.commitment(wrong) != urn.commitment(shares[1])
    assert not urn.check_key(urn.combine([shares[0], wrong]), public.hex())


def test_share_texts_survive_spaces_line_breaks_and_case() -> None:
    share = urn.split(secrets.token_bytes(32), 2, 3, budget_id=12)[2]
    text = share.text()
    assert text.startswith("PART-12-3-")
    messy = "  " + text.lower().replace("-", "-\n", 5) + " "
    assert urn.parse_share(messy) == share


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bonjour", "This is not a key share"),
        ("PART-1-1-abcd", "incomplete"),
        ("PART-1-1-" + "0" * 131, "incomplete"),
    ],
)
def test_malformed_shares_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(urn.ShareError) as refused:
        urn.parse_share(text)
    assert message in refused.value.message


def test_sealed_ballots_open_with_the_key_and_all_have_the_same_size() -> None:
    private, public = urn.new_key_pair()
    size = urn.padded_size(40)
    small = urn.seal(public.hex(), urn.BallotContent("AAAA-BBBB-CCCC", "web", '{"1": 1}'), size)
    choices = json.dumps({str(n): 100 for n in range(100_000_000, 100_000_040)})
    large = urn.seal(public.hex(), urn.BallotContent("AAAA-BBBB-CCCD", "paper", choices), size)
    assert len(small) == len(large)  # every project chosen, with long ids, still fits
    opener = urn.Opener(private)
    assert opener.open(small) == urn.BallotContent("AAAA-BBBB-CCCC", "web", '{"1": 1}')
    assert opener.open(large).choices == choices
    other, _ = urn.new_key_pair()
    with pytest.raises(ValueError):
        urn.Opener(other).open(small)
