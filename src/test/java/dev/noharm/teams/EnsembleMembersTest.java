package dev.noharm.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

/** How {@code ensembles --models} names map onto the scored members (member, responder) of a dataset version. */
class EnsembleMembersTest {
    private static final List<Row> SCORED = List.of(
            RowFactory.create("physician-01", "physician-01"),
            RowFactory.create("sim-careful@1", "sim-careful"),
            RowFactory.create("sim-omitter@1", "sim-omitter"),
            RowFactory.create("sim-omitter@2", "sim-omitter"));

    @Test
    void plainIdsMeanTheirOneScoredVersionAndFullNamesStayAsTheyAre() {
        assertEquals(List.of("sim-careful@1", "physician-01", "sim-omitter@2"),
                EnsembleSearchJob.members(List.of("sim-careful", "physician-01", "sim-omitter@2"), SCORED));
    }

    @Test
    void unknownOrAmbiguousNamesAreRefusedWithWhatIsKnown() {
        var unknown = assertThrows(EnsembleSearchJob.UnknownMember.class, () -> EnsembleSearchJob.members(List.of("sim-carefull"), SCORED));
        assertEquals("'sim-carefull' is not a scored responder (scored: physician-01, sim-careful@1, sim-omitter@1, sim-omitter@2)",
                unknown.getMessage());
        var ambiguous = assertThrows(EnsembleSearchJob.UnknownMember.class, () -> EnsembleSearchJob.members(List.of("sim-omitter"), SCORED));
        assertEquals("'sim-omitter' was scored in several versions (sim-omitter@1, sim-omitter@2): name one as id@version",
                ambiguous.getMessage());
    }
}
