package dev.noharm.lake;

import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;

/**
 * Iceberg's JDBC catalog under one fixed name. The JDBC catalog files each table under the name it was
 * initialized with, and Spark initializes it with the Spark catalog's name, which differs between sessions
 * that open several lakes ({@code lake}, {@code lake_2}, ...): every session must find the same tables.
 */
public class LakeJdbcCatalog extends JdbcCatalog {
    /** The catalog name the lake's tables are filed under in the JDBC catalog's database. */
    public static final String NAME = "noharm";

    @Override
    public void initialize(String sparkCatalogName, Map<String, String> properties) {
        super.initialize(NAME, properties);
    }
}
