package co.signalchannel.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every record the server's loggers ({@code co.signalchannel.*}) write while it is open, FINE and
 * below included; closing it puts the loggers back as they were.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger = Logger.getLogger("co.signalchannel");
    private final Level previousLevel = logger.getLevel();
    private final List<LogRecord> records = new ArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (records) {
                records.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public LogCapture() {
        handler.setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(handler);
    }

    public List<LogRecord> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** What the records would print, messages and stack traces, in characters. */
    public int printedChars() {
        java.util.logging.SimpleFormatter format = new java.util.logging.SimpleFormatter();
        return records().stream().mapToInt(record -> format.format(record).length()).sum();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        logger.setLevel(previousLevel);
    }
}
