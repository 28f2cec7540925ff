"""The leaky bucket's arithmetic, on a clock the test moves by hand (no real waiting)."""

from __future__ import annotations

import pytest

from b24provision.portal.throttle import LeakyBucket, RateLimit


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_a_burst_goes_out_without_waiting_keeping_one_request_of_headroom(clock):
    bucket = LeakyBucket(RateLimit(burst=5, per_second=2.0), clock=clock, sleep=clock.sleep)
    assert [bucket.acquire() for _ in range(4)] == [0.0] * 4
    assert clock.slept == []
    assert bucket.acquire() == pytest.approx(0.5)


def test_past_the_burst_requests_are_spaced_by_the_drain_rate(clock):
    bucket = LeakyBucket(RateLimit(burst=5, per_second=2.0), clock=clock, sleep=clock.sleep)
    for _ in range(8):
        bucket.acquire()
    assert clock.slept == pytest.approx([0.5, 0.5, 0.5, 0.5])
    assert bucket.level() == pytest.approx(4.0)


def test_idle_time_drains_the_bucket(clock):
    bucket = LeakyBucket(RateLimit(burst=5, per_second=2.0), clock=clock, sleep=clock.sleep)
    for _ in range(4):
        bucket.acquire()
    clock.now += 1.0  # two slots free again
    assert bucket.level() == pytest.approx(2.0)
    bucket.acquire()
    bucket.acquire()
    assert clock.slept == []
    assert bucket.delay() == pytest.approx(0.5)
    clock.now += 100
    assert bucket.level() == 0.0


def test_saturate_after_a_refusal_makes_the_next_request_wait_one_slot(clock):
    bucket = LeakyBucket(RateLimit(burst=50, per_second=2.0), clock=clock, sleep=clock.sleep)
    bucket.acquire()
    bucket.saturate()
    assert bucket.acquire() == pytest.approx(0.5)


def test_never_lets_the_portal_counter_pass_the_burst(clock):
    rate = RateLimit(burst=3, per_second=4.0)
    bucket = LeakyBucket(rate, clock=clock, sleep=clock.sleep)
    for step in range(40):
        bucket.acquire()
        assert bucket.level() <= rate.burst - 1 + 1e-9
        clock.now += 0.05 * (step % 3)


@pytest.mark.parametrize(("burst", "per_second"), [(0, 2.0), (5, 0.0), (5, -1.0)])
def test_nonsense_rates_are_refused(burst, per_second):
    with pytest.raises(ValueError, match="rate limit"):
        RateLimit(burst=burst, per_second=per_second)
