package dev.noharm.generation.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.ProviderKind;
import dev.noharm.testing.ManualTicker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The budget's bookkeeping on a hand-advanced clock. */
class RunBudgetTest {
    private static final double EPS = 1e-12;
    private final ManualTicker clock = new ManualTicker();
    private final long lease = Duration.ofSeconds(70).toNanos();

    @Test
    void reservationsAreRefusedOnceSpentPlusReservedWouldPassTheLimit() {
        RunBudget budget = new RunBudget(1.0, 0.25, clock);
        long a = budget.tryReserve(0.5, lease);
        assertTrue(a > 0);
        assertEquals(0, budget.tryReserve(0.3, lease), "0.25 spent + 0.5 reserved + 0.3 > 1.0");
        long b = budget.tryReserve(0.25, lease);
        assertTrue(b > 0, "exactly the limit is allowed");
        budget.settle(a, 0.1);
        assertEquals(0.35, budget.spentUsd(), EPS);
        assertEquals(0.25, budget.reservedUsd(), EPS);
        assertTrue(budget.tryReserve(0.3, lease) > 0, "the settled call freed what it did not use");
        assertEquals(1.05, budget.reservedEverUsd(), EPS);
    }

    @Test
    void aReservationNeverSettledIsSpentInFullWhenItsLeaseEnds() {
        RunBudget budget = new RunBudget(1.0, 0.0, clock);
        long dead = budget.tryReserve(0.6, lease);
        clock.advance(Duration.ofSeconds(69));
        assertEquals(0.6, budget.reservedUsd(), EPS);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(0.0, budget.reservedUsd(), EPS);
        assertEquals(0.6, budget.spentUsd(), EPS, "the call may have been made: the limit must hold either way");
        assertEquals(1, budget.expired());
        budget.settle(dead, 0.01);
        assertEquals(0.6, budget.spentUsd(), EPS, "a late settle of an expired reservation is not counted twice");
        assertEquals(0, budget.tryReserve(0.5, lease));
    }

    @Test
    void permitsRefuseAnOverBudgetCallBeforeTakingAPermitAndSettleOnRelease() throws Exception {
        ModelSpec model = new ModelSpec("m", "M", ProviderKind.OPENAI_COMPATIBLE, "", "m", "1", "http://127.0.0.1:1/v1",
                new ModelSpec.RequestParams(0.0, 100, null, "text", 10), new ModelSpec.Limits(60_000, 0, 1),
                new ModelSpec.Price(1.0, 1.0), null, null);
        Permits permits = new Permits(List.of(model), clock);
        RunBudget budget = new RunBudget(0.001, 0.0, clock);
        permits.budget(budget);
        Permits.Permit first = permits.acquire(new Permits.Request("m", 100, 0.0006, "1"));
        assertThrows(Permits.BudgetReached.class, () -> permits.acquire(new Permits.Request("m", 100, 0.0006, "1")));
        permits.release(new Permits.Release("m", first.permit(), first.reservation(), 80, false, -1, 0.00008));
        assertEquals(0.00008, budget.spentUsd(), EPS);
        Permits.Permit second = permits.acquire(new Permits.Request("m", 100, 0.0006, "1"));
        assertTrue(second.permit() > first.permit(), "max_concurrent 1: the first permit was returned");
    }
}
