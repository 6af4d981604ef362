package dev.noharm.validation;

import java.util.List;

/** Input files broke the contract; carries every problem found, grouped by file in reading order. */
public final class InvalidInputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<ValidationProblem> problems;

    public InvalidInputException(String what, List<ValidationProblem> problems) {
        super(what + " was rejected: " + problems.size() + (problems.size() == 1 ? " problem" : " problems"));
        this.problems = List.copyOf(problems);
    }

    public List<ValidationProblem> problems() {
        return problems;
    }
}
