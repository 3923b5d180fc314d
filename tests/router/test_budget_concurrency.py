"""Cloud spend recorded by many requests at once, as several web processes do: every
request and every cent is counted, the first requests of the day included (they race to
create the day's row). Runs on SQLite and, in the test command's PostgreSQL part, on
PostgreSQL."""

import pytest

from router.budget import DailyBudget
from router.errors import OverBudget
from router.records import CloudUsage
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS, EACH, COST = 8, 25, 0.004


def test_concurrent_spending_is_counted_whole(alice, bob):
    budget = DailyBudget(daily_usd=1.0)

    def spend(n: int) -> None:
        for _ in range(EACH):
            budget.spend(alice if n % 2 else bob, COST)

    at_once(WRITERS, spend)

    per_user = WRITERS // 2 * EACH
    for user in (alice, bob):
        usage = CloudUsage.objects.get(user=user)
        assert usage.requests == per_user
        assert usage.cost_usd == pytest.approx(per_user * COST)
    assert budget.left(alice) == pytest.approx(1.0 - per_user * COST)


def test_a_budget_spent_by_concurrent_requests_is_refused_afterwards(alice):
    budget = DailyBudget(daily_usd=0.05)

    at_once(WRITERS, lambda n: budget.spend(alice, 0.01))

    assert budget.left(alice) == 0.0
    with pytest.raises(OverBudget, match="daily cloud budget"):
        budget.ensure_left(alice)
