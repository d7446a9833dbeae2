package co.signalchannel.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** One measured quantity: its value in each run, summarised as the median and the spread. */
record Figure(List<Double> runs) {

    Figure {
        runs = List.copyOf(runs);
    }

    static Figure of(double... values) {
        List<Double> runs = new ArrayList<>();
        for (double value : values) {
            runs.add(value);
        }
        return new Figure(runs);
    }

    static Figure none() {
        return new Figure(List.of());
    }

    boolean isEmpty() {
        return runs.isEmpty();
    }

    int count() {
        return runs.size();
    }

    double median() {
        if (runs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(runs);
        Collections.sort(sorted);
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    double min() {
        return runs.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return runs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** {@code median (min–max, n runs)}, or the single value and "1 run". */
    String describe() {
        if (runs.isEmpty()) {
            return "n/a";
        }
        if (runs.size() == 1) {
            return format(median()) + " (1 run)";
        }
        return format(median()) + " (" + format(min()) + "–" + format(max()) + ", " + runs.size() + " runs)";
    }

    /** Readable at a glance: thousands grouped, few decimals. */
    static String format(double value) {
        if (Double.isNaN(value)) {
            return "n/a";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%,.0f", value);
        }
        if (magnitude >= 10) {
            return String.format(Locale.ROOT, "%.1f", value);
        }
        return String.format(Locale.ROOT, "%.2f", value);
    }
}
