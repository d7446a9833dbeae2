package co.signalchannel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a benchmark run found, written as {@code report.md} (for people and the README) and
 * {@code report.json} (for tools). Every figure carries its runs; every signal-channel figure that
 * has a baseline counterpart carries the ratio to it.
 */
final class Report {

    /** One line of a scenario's table. */
    record Row(String metric, String unit, Figure signalChannel, Figure baseline) {
        /** signal-channel's median over the baseline's; NaN without a baseline. */
        double ratio() {
            return baseline.isEmpty() ? Double.NaN : signalChannel.median() / baseline.median();
        }
    }

    /**
     * One scenario: what it does and what it measured. {@code columns} names the two sides its rows
     * compare (a row's {@code signalChannel} and {@code baseline} figures): signal-channel and the
     * baseline, unless the scenario compares something else (the cluster scenario: two nodes and
     * Redis against one node).
     */
    record Section(String title, String setup, List<Row> rows, List<String> notes, List<String> columns) {
        static final List<String> SIGNAL_CHANNEL_AND_BASELINE = List.of("signal-channel", "baseline");

        Section {
            if (columns.size() != 2) {
                throw new IllegalArgumentException("a section compares two sides, not " + columns);
            }
            columns = List.copyOf(columns);
        }

        Section(String title, String setup, List<Row> rows, List<String> notes) {
            this(title, setup, rows, notes, SIGNAL_CHANNEL_AND_BASELINE);
        }
    }

    /** A target of issue 6, checked. */
    record Check(String target, String measured, boolean met) {
    }

    /** Every delivery of one scenario against one server, accounted for. */
    record Tally(String scenario, String server, long expected, long lost, long duplicated, long outOfOrder) {
        boolean clean() {
            return lost == 0 && duplicated == 0 && outOfOrder == 0;
        }
    }

    /** CPU the generator and the server used during one scenario, in cores (1.0 = one core busy). */
    record Cpu(String scenario, double seconds, double generatorCores, double serverCores) {
    }

    final Map<String, String> machine = new LinkedHashMap<>();
    final List<Section> sections = new ArrayList<>();
    final List<Check> checks = new ArrayList<>();
    final List<Tally> tallies = new ArrayList<>();
    final List<Cpu> cpu = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    /** Worth knowing, not a failure. */
    final List<String> observations = new ArrayList<>();

    boolean allClean() {
        return problems.isEmpty() && tallies.stream().allMatch(Tally::clean);
    }

    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("report.json"), json(), StandardCharsets.UTF_8);
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# signal-channel benchmark\n\n");
        md.append("| Machine | |\n|---|---|\n");
        machine.forEach((key, value) -> md.append("| ").append(key).append(" | ").append(value).append(" |\n"));
        md.append("\nFigures: median (lowest–highest, runs). Ratio: signal-channel's median over the baseline's, "
                + "both measured in this run on the same server (in the cluster scenario: two nodes and Redis over "
                + "one node, both measured in this run on this machine).\n");
        if (!checks.isEmpty()) {
            md.append("\n## Targets\n\n| Target | Measured | Met |\n|---|---|---|\n");
            for (Check check : checks) {
                md.append("| ").append(check.target()).append(" | ").append(check.measured()).append(" | ")
                        .append(check.met() ? "yes" : "**no**").append(" |\n");
            }
        }
        for (Section section : sections) {
            md.append("\n## ").append(section.title()).append("\n\n").append(section.setup()).append("\n\n");
            md.append("| Metric | ").append(section.columns().get(0)).append(" | ").append(section.columns().get(1))
                    .append(" | ratio |\n|---|---|---|---|\n");
            for (Row row : section.rows()) {
                md.append("| ").append(row.metric()).append(row.unit().isEmpty() ? "" : " (" + row.unit() + ")")
                        .append(" | ").append(row.signalChannel().describe())
                        .append(" | ").append(row.baseline().isEmpty() ? "—" : row.baseline().describe())
                        .append(" | ").append(Double.isNaN(row.ratio()) ? "—"
                                : String.format(Locale.ROOT, "%.2f×", row.ratio())).append(" |\n");
            }
            for (String note : section.notes()) {
                md.append("\n").append(note).append("\n");
            }
        }
        md.append("\n## Every delivery accounted for\n\n| Scenario | Server | Expected | Lost | Duplicated | Out of order |\n|---|---|---|---|---|---|\n");
        for (Tally tally : tallies) {
            md.append("| ").append(tally.scenario()).append(" | ").append(tally.server()).append(" | ")
                    .append(String.format(Locale.ROOT, "%,d", tally.expected())).append(" | ").append(tally.lost())
                    .append(" | ").append(tally.duplicated()).append(" | ").append(tally.outOfOrder()).append(" |\n");
        }
        md.append("\n## CPU: is the generator the bottleneck?\n\n"
                + "Cores busy on average over each scenario (1.00 = one core), load generator and server.\n\n"
                + "| Scenario | Seconds | Generator | Server |\n|---|---|---|---|\n");
        for (Cpu use : cpu) {
            md.append("| ").append(use.scenario()).append(" | ").append(Figure.format(use.seconds())).append(" | ")
                    .append(Figure.format(use.generatorCores())).append(" | ")
                    .append(Double.isNaN(use.serverCores()) ? "n/a" : Figure.format(use.serverCores())).append(" |\n");
        }
        if (!problems.isEmpty()) {
            md.append("\n## Problems\n\n");
            problems.forEach(problem -> md.append("* ").append(problem).append("\n"));
        }
        if (!observations.isEmpty()) {
            md.append("\n## Observations\n\n");
            observations.forEach(observation -> md.append("* ").append(observation).append("\n"));
        }
        return md.toString();
    }

    String json() {
        StringBuilder json = new StringBuilder("{\n  \"machine\": {");
        String separator = "";
        for (Map.Entry<String, String> entry : machine.entrySet()) {
            json.append(separator).append("\n    ").append(quote(entry.getKey())).append(": ").append(quote(entry.getValue()));
            separator = ",";
        }
        json.append("\n  },\n  \"targets\": [");
        separator = "";
        for (Check check : checks) {
            json.append(separator).append("\n    {\"target\": ").append(quote(check.target()))
                    .append(", \"measured\": ").append(quote(check.measured())).append(", \"met\": ").append(check.met()).append("}");
            separator = ",";
        }
        json.append("\n  ],\n  \"scenarios\": [");
        separator = "";
        for (Section section : sections) {
            json.append(separator).append("\n    {\"title\": ").append(quote(section.title()))
                    .append(", \"setup\": ").append(quote(section.setup()))
                    .append(", \"columns\": [").append(quote(section.columns().get(0))).append(", ")
                    .append(quote(section.columns().get(1))).append("]")
                    .append(", \"rows\": [");
            String rowSeparator = "";
            for (Row row : section.rows()) {
                json.append(rowSeparator).append("\n      {\"metric\": ").append(quote(row.metric()))
                        .append(", \"unit\": ").append(quote(row.unit()))
                        .append(", \"signalChannel\": ").append(figure(row.signalChannel()))
                        .append(", \"baseline\": ").append(figure(row.baseline()))
                        .append(", \"ratio\": ").append(number(row.ratio())).append("}");
                rowSeparator = ",";
            }
            json.append("], \"notes\": [");
            String noteSeparator = "";
            for (String note : section.notes()) {
                json.append(noteSeparator).append(quote(note));
                noteSeparator = ", ";
            }
            json.append("]}");
            separator = ",";
        }
        json.append("\n  ],\n  \"deliveries\": [");
        separator = "";
        for (Tally tally : tallies) {
            json.append(separator).append("\n    {\"scenario\": ").append(quote(tally.scenario()))
                    .append(", \"server\": ").append(quote(tally.server()))
                    .append(", \"expected\": ").append(tally.expected()).append(", \"lost\": ").append(tally.lost())
                    .append(", \"duplicated\": ").append(tally.duplicated())
                    .append(", \"outOfOrder\": ").append(tally.outOfOrder()).append("}");
            separator = ",";
        }
        json.append("\n  ],\n  \"cpu\": [");
        separator = "";
        for (Cpu use : cpu) {
            json.append(separator).append("\n    {\"scenario\": ").append(quote(use.scenario()))
                    .append(", \"seconds\": ").append(number(use.seconds()))
                    .append(", \"generatorCores\": ").append(number(use.generatorCores()))
                    .append(", \"serverCores\": ").append(number(use.serverCores())).append("}");
            separator = ",";
        }
        json.append("\n  ],");
        appendTexts(json, "problems", problems);
        json.append(",");
        appendTexts(json, "observations", observations);
        json.append("\n}\n");
        return json.toString();
    }

    private static void appendTexts(StringBuilder json, String name, List<String> texts) {
        json.append("\n  ").append(quote(name)).append(": [");
        String separator = "";
        for (String text : texts) {
            json.append(separator).append("\n    ").append(quote(text));
            separator = ",";
        }
        json.append("\n  ]");
    }

    private static String figure(Figure figure) {
        if (figure.isEmpty()) {
            return "null";
        }
        StringBuilder runs = new StringBuilder("[");
        for (int i = 0; i < figure.runs().size(); i++) {
            runs.append(i == 0 ? "" : ", ").append(number(figure.runs().get(i)));
        }
        return "{\"median\": " + number(figure.median()) + ", \"min\": " + number(figure.min()) + ", \"max\": "
                + number(figure.max()) + ", \"runs\": " + runs.append("]") + "}";
    }

    private static String number(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return "null";
        }
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value) : String.format(Locale.ROOT, "%.4g", value);
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
