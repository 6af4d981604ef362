package dev.noharm.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.noharm.benchmark.BenchmarkReader;
import dev.noharm.benchmark.BenchmarkSource;
import dev.noharm.generation.ModelRegistry;
import dev.noharm.lake.Lake;
import dev.noharm.nightly.NightlyJob;
import dev.noharm.nightly.NightlySpec;
import dev.noharm.simulator.EndpointSimulator;
import dev.noharm.simulator.SimulatorConfig;
import dev.noharm.testing.GenerationFixture;
import dev.noharm.testing.SparkTestSession;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import dev.noharm.scoring.HarmWeights;
import dev.noharm.scoring.ImportResponses;
import dev.noharm.scoring.ScoreJob;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The report of a lake with two versions of a simulated model (compared by nightly), a second model and
 * a physician, opened from disk in headless Chromium (Debian's chromium and chromium-driver, installed by
 * .ci/run): every chart draws SVG content, the tables hold the data, and the console has no errors.
 * The screenshot goes to target/report-screenshot.png, and one of each chart to target/report-chart-*.png;
 * the heatmap's colours are checked on its screenshot.
 */
@ExtendWith(SparkTestSession.class)
class ReportBrowserIT {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";

    @TempDir
    Path tmp;

    @Test
    @SuppressWarnings("unchecked")
    void everyChartRendersWithoutConsoleErrors(SparkSession spark) throws Exception {
        assertTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "this test needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)");
        Lake lake = new Lake(spark, tmp.resolve("lake").toString());
        GenerationFixture.ingest(lake, BenchmarkSource.bundledSampleWithVariants());
        String spec = """
                nightly_id: report-test
                registry: test-registry.yaml
                models:
                  - {model: sim-a, samples: 2}
                  - {model: sim-b, samples: 1}
                regression: {replicates: 200, min_cases: 5}
                retry: {max_attempts: 3, base_delay_ms: 50, max_delay_ms: 200, max_rate_limit_waits: 5}
                commit: {every_results: 10, every_seconds: 2}
                concurrency_per_task: 4
                progress_seconds: 60
                """;
        try (EndpointSimulator sim = EndpointSimulator.start(SimulatorConfig.defaults().withLatency(5, 0.2),
                new BenchmarkReader().read(BenchmarkSource.bundledSampleWithVariants()), 0)) {
            String b = GenerationFixture.model("sim-b", "overtreater-1", sim.baseUrl(), 6000, 8, "", "1");
            night(lake, spec, GenerationFixture.registry(GenerationFixture.model("sim-a", "careful-1", sim.baseUrl(), 6000, 8, "", "1"), b));
            night(lake, spec, GenerationFixture.registry(GenerationFixture.model("sim-a", "omitter-2", sim.baseUrl(), 6000, 8, "", "2"), b));
        }
        String version = lake.read(dev.noharm.lake.Tables.DATASET_VERSIONS).first().getAs("dataset_version");
        // Three imported panels with long names that answer alike: one point, one heatmap row each, names that
        // cannot fit a chart's margin.
        List<String> answers = new ArrayList<>();
        for (String panel : List.of("A", "B", "C")) {
            for (Row c : lake.read(dev.noharm.lake.Tables.CASES).collectAsList()) {
                answers.add("{\"responder\": \"panel-" + panel + "\", \"display_name\": \"" + panelName(panel) + "\", \"trial\": 1, "
                        + "\"case_id\": \"" + c.getAs("case_id") + "\", \"response\": []}");
            }
        }
        Files.write(tmp.resolve("panels.jsonl"), answers);
        new ImportResponses(lake).importFile(tmp.resolve("panels.jsonl").toString(), version);
        // A free-text responder on the original cases, judged by two imported judges who part ways on every third case.
        List<String> plans = new ArrayList<>();
        List<String> judgments = new ArrayList<>();
        int planned = 0;
        for (Row c : lake.read(dev.noharm.lake.Tables.CASES).where("variant_of IS NULL").orderBy("case_id").collectAsList()) {
            String caseId = c.getAs("case_id");
            plans.add("{\"responder\": \"planner-h\", \"display_name\": \"Free-text planning service\", \"trial\": 1, \"case_id\": \""
                    + caseId + "\", \"task\": \"free_text\", \"response\": \"Assessment: as referred.\\n1. The first option\\n2. The second option\"}");
            judgments.add("{\"judge\": \"judge-a\", \"responder\": \"planner-h\", \"trial\": 1, \"case_id\": \"" + caseId
                    + "\", \"verdicts\": [{\"Option\": 1, \"Recommended\": true}, {\"Option\": 2, \"Recommended\": true}]}");
            judgments.add("{\"judge\": \"judge-b\", \"responder\": \"planner-h\", \"trial\": 1, \"case_id\": \"" + caseId
                    + "\", \"verdicts\": [{\"Option\": 1, \"Recommended\": true}, {\"Option\": 2, \"Recommended\": " + (planned++ % 3 != 0) + "}]}");
        }
        Files.write(tmp.resolve("plans.jsonl"), plans);
        Files.write(tmp.resolve("judgments.jsonl"), judgments);
        new ImportResponses(lake).importFile(tmp.resolve("plans.jsonl").toString(), version);
        new dev.noharm.judging.ImportJudgments(lake).importFile(tmp.resolve("judgments.jsonl").toString(), version);
        new ScoreJob(lake, HarmWeights.defaults(), new PrintWriter(new StringWriter())).run(List.of());
        ReportData data = ReportData.from(lake, version, "Majority");
        assertEquals(7, data.leaderboard().size(), "sim-a v1, sim-a v2, sim-b, three panels and the planner");
        assertEquals(1, data.juries().size(), "the planner's jury");
        assertEquals(2, data.trends().size(), "two versions of sim-a");
        Path index = Path.of(HtmlReport.write(data, tmp.resolve("report").toString(), spark.sparkContext().hadoopConfiguration()).toUri());
        for (String file : List.of("index.html", "report.js", "report.css", "echarts.min.js")) {
            assertTrue(Files.size(index.resolveSibling(file)) > 0, file);
        }

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM)
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--window-size=1400,3000", "--user-data-dir=" + tmp.resolve("chromium-profile"));
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        try {
            driver.get(index.toUri().toString());
            List<String> charts = List.of("chart-scatter", "chart-heatmap", "chart-errors", "chart-robustness", "chart-trend-safety",
                    "chart-trend-severeCaseHarmRate");
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> charts.stream().allMatch(id ->
                    "true".equals(d.findElement(By.id(id)).getDomAttribute("data-rendered"))));
            JavascriptExecutor js = driver;
            for (String id : charts) {
                long shapes = (Long) js.executeScript("return document.querySelectorAll('#' + arguments[0] + ' svg path').length;", id);
                assertTrue(shapes > 10, id + " drew " + shapes + " SVG paths");
            }
            assertEquals(data.leaderboard().size() + 1, driver.findElements(By.cssSelector("#leaderboard-table tr")).size());
            assertTrue(driver.findElement(By.id("regressions-table")).getText().contains("sim-a"), "nightly comparisons listed");
            assertTrue(driver.findElement(By.id("banners")).getText().contains("synthetic"), "the synthetic banner shows");
            // The robustness panel: every responder and kind in its table (one pair per kind: too few to flag), and the
            // options that flipped, with their text and the case they were copied from.
            assertEquals(6 * 3, data.robustness().size(), "six responders, three kinds");
            assertEquals(data.robustness().size() + 1, driver.findElements(By.cssSelector("#robustness-table tr")).size());
            String robustness = driver.findElement(By.id("robustness-table")).getText();
            assertTrue(robustness.contains("too few pairs to flag"), "sex and age: one pair each");
            assertTrue(robustness.contains("the specialists rated the copies differently"), "lab_values: neph-02-lab is re-annotated");
            assertEquals(6, data.robustness().stream().filter(ReportData.RobustnessRow::labelsChanged).count(), "lab_values, six responders");
            assertFalse(data.flips().isEmpty(), "some shared recommendation flipped");
            String flips = driver.findElement(By.id("flips-table")).getText();
            assertTrue(flips.contains(data.flips().get(0).text()) && flips.contains("(" + data.flips().get(0).originalCaseId() + ")"), flips);
            // The jury panel: a 2 x 2 matrix whose off-diagonal cell shows kappa in the colour of its band, as rendered.
            ReportData.JuryPanel jury = data.juries().get(0);
            ReportData.JuryCell pair = jury.cells().stream().filter(c -> c.otherJudge() != null).findFirst().orElseThrow();
            assertEquals(3, driver.findElements(By.cssSelector("#juries-body table.matrix tr")).size(), "a header and two judges");
            String matrix = driver.findElement(By.cssSelector("#juries-body table.matrix")).getText();
            assertTrue(matrix.contains("judge-a (imported)") && matrix.contains(String.format(java.util.Locale.ROOT, "\u03ba %.2f", pair.kappa())), matrix);
            String expectedBand = pair.kappa() >= 0.8 ? "rgb(215, 239, 221)" : pair.kappa() >= 0.6 ? "rgb(255, 241, 194)" : "rgb(249, 211, 207)";
            List<?> backgrounds = (List<?>) js.executeScript("""
                    return Array.from(document.querySelectorAll('#juries-body table.matrix td:not(.self)'))
                        .map(function (td) { return getComputedStyle(td).backgroundColor; });""");
            assertEquals(List.of(expectedBand, expectedBand), backgrounds, "kappa " + pair.kappa());
            Files.write(Path.of("target", "report-juries-section.png"), driver.findElement(By.id("juries")).getScreenshotAs(OutputType.BYTES));
            Files.write(Path.of("target", "report-screenshot.png"), driver.getScreenshotAs(OutputType.BYTES));
            java.util.Map<String, byte[]> shots = new java.util.HashMap<>();
            for (String id : charts) {
                shots.put(id, driver.findElement(By.id(id)).getScreenshotAs(OutputType.BYTES));
                Files.write(Path.of("target", "report-" + id + ".png"), shots.get(id));
            }
            Files.write(Path.of("target", "report-robustness-section.png"), driver.findElement(By.id("robustness")).getScreenshotAs(OutputType.BYTES));
            heatmapColoursFollowTheRate(driver, shots.get("chart-heatmap"));
            legibleAt(driver, data, 1400);
            // The bars' names are whole (wrapped, not cut short): "(v1, Advisor)" and "(v2, Advisor)" both show.
            String barLabels = String.join(" ", (List<String>) js.executeScript(
                    "return Array.from(document.querySelectorAll('#chart-errors svg text')).map(function (t) { return t.textContent; });"));
            assertTrue(barLabels.contains("v1, Advisor)") && barLabels.contains("v2, Advisor)") && !barLabels.contains("..."),
                    "bar labels: " + barLabels);

            driver.manage().window().setSize(new org.openqa.selenium.Dimension(1000, 3000));
            driver.navigate().refresh();
            new WebDriverWait(driver, Duration.ofSeconds(30)).until(d -> charts.stream().allMatch(id ->
                    "true".equals(d.findElement(By.id(id)).getDomAttribute("data-rendered"))));
            Files.write(Path.of("target", "report-screenshot-1000.png"), driver.getScreenshotAs(OutputType.BYTES));
            for (String id : charts) {
                Files.write(Path.of("target", "report-" + id + "-1000.png"), driver.findElement(By.id(id)).getScreenshotAs(OutputType.BYTES));
            }
            legibleAt(driver, data, 1000);

            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertEquals(List.of(), errors.stream().map(LogEntry::getMessage).toList(), "console errors");
        } finally {
            driver.quit();
        }
    }

    /**
     * What the reader sees, not the DOM: in the rendered heatmap the highest-rate cell is the scale's dark red
     * and a 0% cell its near-white (the colour scale once followed the specialty's name, and all cells looked
     * alike). Pixels are read from the chart's screenshot beside each cell's label.
     */
    @SuppressWarnings("unchecked")
    private static void heatmapColoursFollowTheRate(ChromeDriver driver, byte[] screenshot) throws IOException {
        List<List<Number>> cells = (List<List<Number>>) driver.executeScript("""
                var chart = echarts.getInstanceByDom(document.getElementById('chart-heatmap'));
                var data = chart.getOption().series[0].data;
                var width = chart.convertToPixel({ xAxisIndex: 0 }, 1) - chart.convertToPixel({ xAxisIndex: 0 }, 0);
                return data.map(function (d) {
                  var p = chart.convertToPixel({ seriesIndex: 0 }, [d[0], d[1]]);
                  return [p[0] + 0.38 * width, p[1], d[2]];
                });""");
        List<Number> highest = cells.stream().max(java.util.Comparator.comparingDouble(c -> c.get(2).doubleValue())).orElseThrow();
        List<Number> zero = cells.stream().filter(c -> c.get(2).doubleValue() == 0).findFirst()
                .orElseThrow(() -> new AssertionError("the fixture has no 0% cell: " + cells));
        assertTrue(highest.get(2).doubleValue() > 0, "the fixture has a cell above 0%: " + cells);
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(screenshot));
        java.awt.Color hot = new java.awt.Color(image.getRGB(highest.get(0).intValue(), highest.get(1).intValue()));
        java.awt.Color cold = new java.awt.Color(image.getRGB(zero.get(0).intValue(), zero.get(1).intValue()));
        // The scale runs #f7fbff (0%) .. #fcbba1 .. #cb181d (the highest rate).
        assertTrue(hot.getRed() > 150 && hot.getGreen() < 80 && hot.getBlue() < 80, "highest-rate cell " + highest + " is red: " + hot);
        assertTrue(cold.getRed() > 230 && cold.getGreen() > 230 && cold.getBlue() > 230, "0% cell " + zero + " is near white: " + cold);
    }

    private static String panelName(String panel) {
        return "Human Generalist Physicians, synthetic panel " + panel + " (answers nothing)";
    }

    /**
     * What a reader at {@code width} pixels sees: heatmap row names whole and inside the chart, the scatter's point
     * numbers apart, responder names in at most three lines, the nightly table without horizontal scrolling, times
     * without fractions of seconds, and the option counts saying what they count.
     */
    @SuppressWarnings("unchecked")
    private static void legibleAt(ChromeDriver driver, ReportData data, int width) {
        String at = " at " + width + " px";
        for (String chart : List.of("chart-heatmap", "chart-robustness")) {
            List<Object> outside = (List<Object>) driver.executeScript("""
                    var c = document.getElementById(arguments[0]).getBoundingClientRect();
                    return Array.from(document.querySelectorAll('#' + arguments[0] + ' svg text')).filter(function (t) {
                      var r = t.getBoundingClientRect();
                      return r.width > 0 && (r.left < c.left - 1 || r.right > c.right + 1);
                    }).map(function (t) { return t.textContent; });""", chart);
            assertEquals(List.of(), outside, chart + " labels cut at the chart's edge" + at);
            String chartText = ((String) driver.executeScript("""
                    return Array.from(document.querySelectorAll('#' + arguments[0] + ' svg text')).map(function (t) { return t.textContent; }).join(' ');""",
                    chart)).replaceAll("\\s+", " ");
            for (String panel : List.of("A", "B", "C")) {
                assertTrue(chartText.contains(panelName(panel)), panelName(panel) + " whole in " + chart + at + ": " + chartText);
            }
        }

        List<List<Number>> labels = (List<List<Number>>) driver.executeScript("""
                return Array.from(document.querySelectorAll('#chart-scatter svg text')).filter(function (t) {
                  return /bold/.test(t.getAttribute('style') || '') && /^[0-9]+$/.test(t.textContent);
                }).map(function (t) { var r = t.getBoundingClientRect(); return [Number(t.textContent), r.left, r.top, r.right, r.bottom]; });""");
        assertEquals(data.leaderboard().size(), labels.size(), "one number per point" + at + ": " + labels);
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                List<Number> a = labels.get(i);
                List<Number> b = labels.get(j);
                boolean overlap = a.get(1).doubleValue() < b.get(3).doubleValue() && b.get(1).doubleValue() < a.get(3).doubleValue()
                        && a.get(2).doubleValue() < b.get(4).doubleValue() && b.get(2).doubleValue() < a.get(4).doubleValue();
                assertTrue(!overlap, "scatter labels " + a + " and " + b + " overlap" + at);
            }
        }

        List<Number> nameHeights = (List<Number>) driver.executeScript("""
                return Array.from(document.querySelectorAll('#leaderboard-table td.name')).map(function (td) {
                  return td.getBoundingClientRect().height / parseFloat(getComputedStyle(td).lineHeight); });""");
        assertEquals(data.leaderboard().size(), nameHeights.size());
        assertTrue(nameHeights.stream().allMatch(h -> h.doubleValue() < 3.9), "leaderboard names in at most three lines" + at + ": " + nameHeights);

        for (String table : List.of("regressions-table", "robustness-table", "flips-table", "juries-body")) {
            List<Number> scroll = (List<Number>) driver.executeScript("""
                    var node = document.getElementById(arguments[0]);
                    var wrap = node.tagName === 'TABLE' ? node.parentElement : node.querySelector('.table-wrap');
                    return [wrap.scrollWidth, wrap.clientWidth];""", table);
            assertTrue(scroll.get(0).longValue() <= scroll.get(1).longValue(), table + " scrolls sideways" + at + ": " + scroll);
        }
        String page = driver.findElement(By.tagName("body")).getText();
        assertTrue(!java.util.regex.Pattern.compile("\\d:\\d\\d[.:]\\d").matcher(page).find(), "no seconds or fractions of them" + at);
        assertTrue(driver.findElement(By.id("meta")).getText().matches(".*generated \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC"),
                driver.findElement(By.id("meta")).getText());
        assertTrue(driver.findElement(By.id("omitted-table")).getText().contains(" answers"), "omission counts say what they count");
    }

    private static void night(Lake lake, String spec, ModelRegistry registry) {
        StringWriter out = new StringWriter();
        new NightlyJob(lake, NightlySpec.parse(spec, "nightly.yaml"), "nightly.yaml", registry, name -> null,
                new PrintWriter(out, true)).run();
    }
}
