package dev.noharm.cli;

import dev.noharm.benchmark.GradingMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --grading Majority|Unanimous}, through the one parser of grading names. */
final class GradingModeConverter implements ITypeConverter<GradingMode> {
    @Override
    public GradingMode convert(String value) {
        return GradingMode.fromName(value).orElseThrow(() ->
                new TypeConversionException("'" + value + "' is not a grading mode (" + GradingMode.names() + ")"));
    }
}
