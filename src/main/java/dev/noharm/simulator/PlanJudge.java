package dev.noharm.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.noharm.generation.PromptBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A simulated judge (CONTRACT section 6): reads the options and the plan out of a judge's prompt, calls an option
 * recommended when one of the plan's numbered items contains the option's text (in any case), and is wrong on each
 * option with a configurable probability. It answers section 6's array, every option listed, the matched item as
 * evidence.
 */
final class PlanJudge {
    private static final Pattern OPTION = Pattern.compile("^(\\d+): [^:]+: (.+)$");
    private static final Pattern NUMBERED = Pattern.compile("^\\s*\\d+[.)]\\s+(.+)$");

    private PlanJudge() {}

    /** Whether the prompt is a judge's (it has the plan heading). */
    static boolean isJudgePrompt(String prompt) {
        return prompt.contains("\n" + PromptBuilder.PLAN_HEADING + "\n");
    }

    static String judge(String prompt, double errorRate, SplittableRandom random, ObjectMapper json) {
        int heading = prompt.indexOf("\n" + PromptBuilder.PLAN_HEADING + "\n");
        List<String> options = new ArrayList<>();
        for (String line : prompt.substring(0, heading).lines().toList()) {
            Matcher m = OPTION.matcher(line);
            if (m.matches() && Integer.parseInt(m.group(1)) == options.size() + 1) {
                options.add(m.group(2).toLowerCase(Locale.ROOT));
            }
        }
        List<String> items = new ArrayList<>();
        String fenced = prompt.substring(heading);
        int open = fenced.indexOf(PromptBuilder.PLAN_OPEN + "\n");
        int close = fenced.lastIndexOf("\n" + PromptBuilder.PLAN_CLOSE);
        String plan = open < 0 || close < open ? "" : fenced.substring(open + PromptBuilder.PLAN_OPEN.length() + 1, close);
        for (String line : plan.lines().toList()) {
            Matcher m = NUMBERED.matcher(line);
            if (m.matches()) {
                items.add(m.group(1));
            }
        }
        ArrayNode verdicts = json.createArrayNode();
        for (int i = 0; i < options.size(); i++) {
            String evidence = "";
            for (String item : items) {
                if (item.toLowerCase(Locale.ROOT).contains(options.get(i))) {
                    evidence = item;
                    break;
                }
            }
            boolean recommended = !evidence.isEmpty();
            if (random.nextDouble() < errorRate) {
                recommended = !recommended;
            }
            verdicts.addObject().put("Option", i + 1).put("Recommended", recommended).put("Evidence", recommended ? evidence : "");
        }
        return verdicts.toString();
    }
}
