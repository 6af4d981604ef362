package dev.noharm.generation.plan;

import dev.noharm.generation.Task;
import java.util.Map;

/**
 * A judge's call: the case, its numbered options and one free-text plan, to be mapped onto the options
 * (CONTRACT section 6). Its case, sample and variant are those of the plan it judges; the prompt embeds the
 * plan, so it travels with the item.
 */
public record JudgeItem(String workKey, String modelId, String caseId, int sampleIndex, String promptVariant, String promptHash,
        String prompt, String judgedWorkKey) implements WorkItem {

    @Override
    public Task task() {
        return Task.JUDGE;
    }

    @Override
    public String prompt(Map<String, String> sharedPrompts) {
        return prompt;
    }
}
