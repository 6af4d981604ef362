package dev.noharm.generation.call;

import dev.noharm.generation.plan.WorkItem;
import java.util.List;

/**
 * How the calls of one stage leave the process. The planner decides what to call; a strategy only makes
 * the calls, under the driver's permits and budget ({@link DriverEndpoints}), stores every outcome through
 * the stage's {@link GenerationSink} and reports it to the coordinator. Today's strategy is
 * {@link RealtimeCalls}; a provider batch API is another.
 */
public interface CallStrategy {
    /** Calls every item of {@code pending} once it returns each is stored (ok or failed) or was refused by the budget. */
    void call(StageCall stage, List<WorkItem> pending);
}
