package dev.noharm.validation;

/**
 * One thing wrong with an input file, located precisely enough to fix it: the file, the 1-based line
 * (0 when the problem is with the file as a whole) and the field.
 */
public record ValidationProblem(String file, int line, String field, String message) {

    @Override
    public String toString() {
        String where = line > 0 ? file + ":" + line : file;
        return field == null || field.isEmpty() ? where + ": " + message : where + ": " + field + ": " + message;
    }
}
