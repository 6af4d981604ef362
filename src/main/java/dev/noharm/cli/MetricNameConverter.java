package dev.noharm.cli;

import dev.noharm.scoring.Metric;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A {@code --metric} value: one of CONTRACT section 4's metric names, or a usage error listing them (robustness metrics are not ranked or compared). */
final class MetricNameConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        return Metric.fromWireName(value).filter(Metric::perCaseSet).map(Metric::wireName).orElseThrow(() -> new TypeConversionException(
                "unknown metric '" + value + "' (metrics: " + String.join(", ", java.util.Arrays.stream(Metric.values())
                        .filter(Metric::perCaseSet).map(Metric::wireName).toList()) + ")"));
    }
}
