package dev.noharm.generation.plan;

import dev.noharm.generation.ModelSpec;
import dev.noharm.generation.TokenEstimator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * What a run would call, per model and stage, and its upper-bound cost, from the planner alone. Items are
 * priced with {@link TokenEstimator}, the bound each call reserves from the budget. A review whose input is
 * already stored is priced on its real prompt; one whose input is not yet answered, on the longest prompt
 * it could get (the reviewed answer is cut at {@code PromptBuilder.MAX_REVIEWED_CHARS}), so the total is
 * never below what the run's calls will reserve. Judges are priced the same way: on the stored plan they judge,
 * or on the longest plan they could be shown ({@code PromptBuilder.MAX_JUDGED_CHARS}).
 */
public final class DryRun {
    private DryRun() {}

    /** One line of a dry run: a model's calls in one stage and their upper-bound cost, real-time and through a batch API. */
    public record Estimate(String model, String stage, long planned, long alreadyDone, long toCall, long inputTokens,
            long maxOutputTokens, double maxCostUsd, double maxBatchCostUsd) {}

    /**
     * @param finished work keys already stored ok
     * @param answers the stored ok answers of the given work keys (those that have one)
     */
    public static List<Estimate> estimate(Planner planner, Set<String> finished, Function<Set<String>, Map<String, PriorAnswer>> answers) {
        Map<String, Line> lines = new LinkedHashMap<>();
        Stage answerStage = planner.answers();
        Stage stage = answerStage;
        Map<String, String> shared = planner.sharedPrompts();
        boolean judged = false;
        while (true) {
            for (WorkItem item : stage.items()) {
                String label = item instanceof ReviewItem review ? reviewLabel(review.chain().teamId(), stage.number()) : stage.label();
                Line line = lines.computeIfAbsent(item.modelId() + "\u0000" + label, k -> new Line(item.modelId(), label));
                line.planned++;
                if (finished.contains(item.workKey())) {
                    line.done++;
                } else {
                    line.add(TokenEstimator.upperBound(planner.model(item.modelId()), item.prompt(shared).length()));
                }
            }
            for (ChainSlot slot : stage.blocked()) {
                // A blocked slot is priced at its longest possible prompt: a judge's on the longest plan, a reviewer's on the longest answer.
                ModelSpec model;
                String label;
                int maxPromptChars;
                if (stage.kind() == Stage.Kind.JUDGMENTS) {
                    model = planner.model(Planner.judgeOf(slot));
                    label = stage.label();
                    maxPromptChars = planner.maxJudgePromptChars(slot.caseId());
                } else {
                    Planner.BlockedReview blocked = planner.blockedReview(stage.number(), slot);
                    model = blocked.reviewer();
                    label = reviewLabel(slot.teamId(), stage.number());
                    maxPromptChars = blocked.maxPromptChars();
                }
                Line line = lines.computeIfAbsent(model.id() + "\u0000" + label, k -> new Line(model.id(), label));
                line.planned++;
                line.add(TokenEstimator.upperBound(model, maxPromptChars));
            }
            if (judged) {
                break;
            }
            var next = planner.reviews(stage, answers.apply(planner.reviewInputs(stage)));
            if (next.isEmpty()) {
                next = planner.judgments(answerStage, answers.apply(planner.judgeInputs(answerStage)));
                judged = true;
            }
            if (next.isEmpty()) {
                break;
            }
            stage = next.get();
        }
        List<Estimate> estimates = new ArrayList<>();
        lines.values().forEach(l -> estimates.add(new Estimate(l.model, l.stage, l.planned, l.done, l.planned - l.done, l.inputTokens,
                l.outputTokens, l.cost, l.batchCost)));
        return estimates;
    }

    private static String reviewLabel(String teamId, int stage) {
        return "team " + teamId + " stage " + stage;
    }

    private static final class Line {
        final String model;
        final String stage;
        long planned;
        long done;
        long inputTokens;
        long outputTokens;
        double cost;
        double batchCost;

        Line(String model, String stage) {
            this.model = model;
            this.stage = stage;
        }

        void add(TokenEstimator.CallBound bound) {
            inputTokens += bound.inputTokens();
            outputTokens += bound.outputTokens();
            cost += bound.costUsd();
            batchCost += bound.batchCostUsd();
        }
    }

}
