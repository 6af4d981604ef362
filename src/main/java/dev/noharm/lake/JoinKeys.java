package dev.noharm.lake;

import java.util.List;

/** Join columns in the Scala form Spark's {@code Dataset.join(other, Seq)} wants, from Java. */
public final class JoinKeys {
    private JoinKeys() {}

    public static scala.collection.immutable.Seq<String> of(String... columns) {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(columns)).toList();
    }
}
