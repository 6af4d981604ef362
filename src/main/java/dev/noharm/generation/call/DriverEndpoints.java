package dev.noharm.generation.call;

import dev.noharm.generation.ItemOutcome;
import dev.noharm.generation.ratelimit.Permits;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The driver's services that executors call during a stage, as typed endpoints of the {@link CoordinatorServer}:
 * a permit (and budget reservation) before every call attempt, its release after, and each finished item.
 */
public final class DriverEndpoints {
    static final String ACQUIRE = "/permits/acquire";
    static final String RELEASE = "/permits/release";
    static final String DONE = "/items/done";
    static final String TASK = "/tasks/running";
    /** The status of a permit refused because the run's budget would be passed. */
    private static final int BUDGET_REACHED = 402;
    /** The status of a permit refused because the job is stopping. */
    private static final int STOPPING = 409;
    /** The status of a permit refused because Spark reported the asking executor lost (the task attempt then fails). */
    private static final int HOLDER_LOST = 410;

    /** The answer of endpoints that have nothing to say. */
    public record Ack(boolean ok) {
        static final Ack OK = new Ack(true);
    }

    private DriverEndpoints() {}

    /** A task attempt on {@code executor} starting ({@code started} true) or ending, after its last commit. */
    public record TaskState(String executor, boolean started) {}

    /**
     * Tasks of the job that started and have not ended yet, per executor, as the tasks themselves report it (after
     * their last commit): what a cancelled job must wait for before the coordinator that commits their batches goes
     * away. The tasks of an executor Spark reported lost never report their end, and are not waited for.
     */
    public static final class RunningTasks {
        private final Map<String, Integer> running = new HashMap<>();
        private final Set<String> lost = new HashSet<>();

        synchronized void change(String executor, boolean started) {
            if (!lost.contains(executor)) {
                running.merge(executor, started ? 1 : -1, Integer::sum);
                running.remove(executor, 0);
            }
            notifyAll();
        }

        /** Spark reported the executor lost: its task attempts are gone (Spark runs them again elsewhere). */
        public synchronized void executorLost(String executor) {
            lost.add(executor);
            running.remove(executor);
            notifyAll();
        }

        /** Waits until no task runs, or {@code millis} have passed; returns whether none runs. */
        public synchronized boolean awaitNone(long millis) throws InterruptedException {
            long deadline = System.currentTimeMillis() + millis;
            while (!running.isEmpty() && System.currentTimeMillis() < deadline) {
                wait(Math.max(1, deadline - System.currentTimeMillis()));
            }
            return running.isEmpty();
        }
    }

    /** Installs the endpoints on the job's coordinator; {@code done} receives every finished item. */
    public static void serve(CoordinatorServer server, Permits permits, Consumer<ItemOutcome> done, RunningTasks tasks) {
        server.endpoint(TASK, TaskState.class, state -> {
            tasks.change(state.executor(), state.started());
            return Ack.OK;
        });
        server.endpoint(ACQUIRE, Permits.Request.class, request -> {
            try {
                return permits.acquire(request);
            } catch (Permits.BudgetReached e) {
                throw new CoordinatorServer.Refusal(BUDGET_REACHED, e.getMessage());
            } catch (Permits.Stopping e) {
                throw new CoordinatorServer.Refusal(STOPPING, e.getMessage());
            } catch (Permits.HolderLost e) {
                throw new CoordinatorServer.Refusal(HOLDER_LOST, e.getMessage());
            }
        });
        server.endpoint(RELEASE, Permits.Release.class, release -> {
            permits.release(release);
            return Ack.OK;
        });
        server.endpoint(DONE, ItemOutcome.class, outcome -> {
            done.accept(outcome);
            return Ack.OK;
        });
    }

    /** The executor's typed side of the endpoints. */
    static final class Client {
        private final CoordinatorClient http;
        private final String executor;

        /** The endpoints as {@code executor} (Spark's executor id) calls them. */
        Client(CoordinatorServer.Address address, String executor) {
            this.http = new CoordinatorClient(address);
            this.executor = executor;
        }

        String executor() {
            return executor;
        }

        /**
         * Blocks until the model may be called; throws {@link Permits.BudgetReached} when the run's budget refuses,
         * {@link Permits.Stopping} when the job is stopping.
         */
        Permits.Permit acquire(Permits.Request request) throws InterruptedException {
            try {
                return http.post(ACQUIRE, request, Permits.Permit.class);
            } catch (CoordinatorClient.Refused refused) {
                if (refused.status() == BUDGET_REACHED) {
                    throw new Permits.BudgetReached(refused.getMessage());
                }
                if (refused.status() == STOPPING) {
                    throw new Permits.Stopping(refused.getMessage());
                }
                throw refused;
            }
        }

        void release(Permits.Release release) throws InterruptedException {
            http.post(RELEASE, release, Ack.class);
        }

        /** Reports the task attempt starting or ending (after its last commit); never fails the task. */
        void task(boolean started) {
            try {
                http.post(TASK, new TaskState(executor, started), Ack.class);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The driver then waits out its bound instead.
            }
        }

        /** Reports a finished item for the progress line and the stage's counts; never fails the item. */
        void done(ItemOutcome outcome) {
            try {
                http.post(DONE, outcome, Ack.class);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // Losing one report must not lose the item: its commit counts it all the same (GenerationProgress.stored).
            }
        }
    }
}
