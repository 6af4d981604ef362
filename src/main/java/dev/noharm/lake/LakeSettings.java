package dev.noharm.lake;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the lake is and which Iceberg catalog holds its tables, resolved once from the lake's URI and the
 * {@code spark.noharm.catalog.*} settings ({@code --conf} or spark-defaults.conf). Every other
 * {@code spark.noharm.catalog.<property>} is handed to the Iceberg catalog as {@code <property>} (its
 * {@code uri}, credentials, client settings).
 *
 * <p>Defaults: a local lake gets the embedded catalog, Iceberg's JDBC catalog on one SQLite file
 * ({@code <lake>/catalog.sqlite}), no server; each commit is one conditional update, atomic. An HDFS lake gets
 * Iceberg's Hadoop catalog (commits by atomic rename, which HDFS has). An object store (s3a, s3, gs) has no
 * default: rename there is a copy, so a Hadoop catalog could lose a commit, and an SQLite file beside the
 * driver would be a catalog no other machine sees; such a lake names its catalog (glue, rest, hive, or jdbc
 * with a database every driver reaches).
 */
public record LakeSettings(String root, String catalogType, Map<String, String> catalogProperties, String namespace, String warehouse) {
    public static final String PREFIX = "spark.noharm.catalog.";
    public static final String DEFAULT_NAMESPACE = "noharm";

    /** The catalog types a lake may name, as Iceberg's {@code type} property spells them. */
    public static final java.util.List<String> TYPES = java.util.List.of("jdbc", "hadoop", "hive", "glue", "rest");

    /** A lake whose settings cannot work: the message says what to set. */
    public static final class Unusable extends IllegalArgumentException {
        public Unusable(String message) {
            super(message);
        }
    }

    public static LakeSettings resolve(String root, Function<String, Optional<String>> sparkConf, Map<String, String> allWithPrefix) {
        String scheme = Optional.ofNullable(URI.create(root.replace(" ", "%20")).getScheme()).orElse("file").toLowerCase(Locale.ROOT);
        boolean objectStore = scheme.equals("s3a") || scheme.equals("s3") || scheme.equals("s3n") || scheme.equals("gs");
        String namespace = sparkConf.apply(PREFIX + "namespace").orElse(DEFAULT_NAMESPACE);
        String warehouse = sparkConf.apply(PREFIX + "warehouse").orElse(stripSlash(root) + "/warehouse");
        Optional<String> type = sparkConf.apply(PREFIX + "type").map(t -> t.trim().toLowerCase(Locale.ROOT));
        if (type.isPresent() && !TYPES.contains(type.get())) {
            throw new Unusable(PREFIX + "type is '" + type.get() + "'; it must be one of " + String.join(", ", TYPES));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        allWithPrefix.forEach((key, value) -> {
            if (!key.equals("type") && !key.equals("namespace") && !key.equals("warehouse")) {
                properties.put(key, value);
            }
        });
        String resolvedType;
        if (type.isPresent()) {
            resolvedType = type.get();
            if (resolvedType.equals("hadoop") && objectStore) {
                throw new Unusable("a Hadoop catalog commits by renaming a file, and " + scheme + ":// has no atomic rename: "
                        + "two commits could both succeed and one be lost. Use " + PREFIX + "type=glue, rest, hive or jdbc");
            }
        } else if (scheme.equals("file")) {
            resolvedType = "jdbc";
            properties.putIfAbsent("uri", "jdbc:sqlite:" + localPath(root) + "/catalog.sqlite");
        } else if (objectStore) {
            throw new Unusable("the lake " + root + " is on an object store, where only a catalog commits atomically: set "
                    + PREFIX + "type=glue (AWS Glue), rest (an Iceberg REST catalog, with " + PREFIX + "uri=...), hive (with "
                    + PREFIX + "uri=thrift://...) or jdbc (with " + PREFIX + "uri=jdbc:... of a database every driver reaches)");
        } else {
            resolvedType = "hadoop";
        }
        if (resolvedType.equals("jdbc")) {
            properties.putIfAbsent("jdbc.schema-version", "V1");
            if (properties.getOrDefault("uri", "").startsWith("jdbc:sqlite:")) {
                // Two drivers on one SQLite file wait for each other's commit instead of failing at once.
                properties.putIfAbsent("jdbc.busy_timeout", "60000");
            }
        }
        if ((resolvedType.equals("jdbc") || resolvedType.equals("rest") || resolvedType.equals("hive")) && !properties.containsKey("uri")) {
            throw new Unusable("catalog type " + resolvedType + " needs " + PREFIX + "uri");
        }
        return new LakeSettings(stripSlash(root), resolvedType, Map.copyOf(properties), namespace, warehouse);
    }

    /** The Spark catalog properties (without the {@code spark.sql.catalog.<name>.} prefix). */
    public Map<String, String> sparkCatalogProperties() {
        Map<String, String> props = new LinkedHashMap<>(catalogProperties);
        if (catalogType.equals("jdbc")) {
            props.put("catalog-impl", LakeJdbcCatalog.class.getName()); // the JDBC catalog under a fixed name
        } else {
            props.put("type", catalogType);
        }
        props.put("warehouse", warehouse);
        // Two drivers share the tables: never serve a table from a cache another process has moved past.
        props.putIfAbsent("cache-enabled", "false");
        return props;
    }

    /** Names the catalog in messages without its credentials. */
    public String describe() {
        String uri = catalogProperties.getOrDefault("uri", "");
        return catalogType + (uri.isEmpty() ? "" : " at " + uri.replaceAll("//[^/@]*@", "//***@")) + ", warehouse " + warehouse;
    }

    private static String stripSlash(String uri) {
        return uri.endsWith("/") && uri.length() > 1 ? uri.substring(0, uri.length() - 1) : uri;
    }

    private static String localPath(String root) {
        return root.startsWith("file:") ? URI.create(root).getPath() : root;
    }
}
