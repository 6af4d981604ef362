package dev.noharm.benchmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.testing.BenchmarkFixture;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkLabelsTest {

    @Test
    void unanimousIsTheMinimum() {
        assertEquals(1, GradingMode.UNANIMOUS.aggregate(new int[] {4, 1, 3}));
        assertEquals(0, GradingMode.UNANIMOUS.aggregate(new int[] {0, 5}));
        assertEquals(2, GradingMode.UNANIMOUS.aggregate(new int[] {2}));
    }

    @Test
    void majorityWithAnOddCountIsTheMedian() {
        assertEquals(3, GradingMode.MAJORITY.aggregate(new int[] {4, 1, 3}));
        assertEquals(4, GradingMode.MAJORITY.aggregate(new int[] {4, 4, 0}));
        assertEquals(2, GradingMode.MAJORITY.aggregate(new int[] {5, 2, 0, 3, 1}));
    }

    @Test
    void majorityWithAnEvenCountNeedsMoreThanHalf() {
        // Two of four at >= 4 is not more than half; three of four are at >= 1.
        assertEquals(1, GradingMode.MAJORITY.aggregate(new int[] {4, 4, 1, 1}));
        // Two annotators: both must reach the level, so it is the minimum.
        assertEquals(1, GradingMode.MAJORITY.aggregate(new int[] {4, 1}));
        assertEquals(3, GradingMode.MAJORITY.aggregate(new int[] {3, 5, 4, 0}));
    }

    @Test
    void fixtureLabelsMatchTheHandComputedValues(@TempDir Path dir) {
        Benchmark benchmark = new BenchmarkReader().read(
                BenchmarkSource.folder(BenchmarkFixture.tiny().writeTo(dir).toString(), new Configuration()));

        // Expected labels, option by option: appropriateness / harm if done / harm if omitted.
        assertLabels(benchmark.labels(GradingMode.UNANIMOUS), List.of(
                "c1/1 appropriate none moderate",
                "c1/2 highly_inappropriate none none",
                "c1/3 highly_inappropriate moderate none",
                "c2/1 uncertain none mild",
                "c2/2 highly_inappropriate uncertain none"));
        assertLabels(benchmark.labels(GradingMode.MAJORITY), List.of(
                "c1/1 highly_appropriate none severe",
                "c1/2 uncertain none none",
                "c1/3 highly_inappropriate severe none",
                "c2/1 appropriate none moderate",
                "c2/2 inappropriate mild none"));

        OptionLabel c1o1 = benchmark.labels(GradingMode.MAJORITY).get(0);
        assertTrue(c1o1.highlyAppropriate() && c1o1.appropriate() && !c1o1.uncertain());
        OptionLabel c1o2 = benchmark.labels(GradingMode.MAJORITY).get(1);
        assertTrue(c1o2.uncertain() && !c1o2.appropriate() && c1o2.escalation());
        OptionLabel c2o1 = benchmark.labels(GradingMode.MAJORITY).get(3);
        assertTrue(c2o1.appropriate());
        assertFalse(c2o1.highlyAppropriate());
        assertEquals(4, c2o1.annotators());
        assertTrue(benchmark.labels(GradingMode.UNANIMOUS).get(2).noIntervention());
    }

    private static void assertLabels(List<OptionLabel> labels, List<String> expected) {
        List<String> actual = labels.stream()
                .map(l -> l.caseId() + "/" + l.optionNo() + " " + l.appropriateness().wireName() + " "
                        + l.harmIfDone().wireName() + " " + l.harmIfOmitted().wireName())
                .toList();
        assertEquals(expected, actual);
    }
}
