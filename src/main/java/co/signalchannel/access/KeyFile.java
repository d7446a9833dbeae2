package co.signalchannel.access;

import com.nimbusds.jose.jwk.JWK;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.logging.Logger;

/**
 * A file of keys, re-read when its modification time changes (looked at once a second at most),
 * so an operator rotates keys by replacing the file. A replacement that cannot be read leaves the
 * keys as they were and says so in the log; at start-up, it stops the deployment.
 */
final class KeyFile {

    /** Reads a file's text as keys. */
    @FunctionalInterface
    interface Parser {
        List<JWK> parse(String text) throws Exception;
    }

    private static final Logger LOG = Logger.getLogger(KeyFile.class.getName());
    private static final long LOOK_EVERY_NANOS = 1_000_000_000L;

    private final Path path;
    private final Parser parser;
    private volatile List<JWK> keys;
    private volatile FileTime readAt;
    private volatile long lookedAt;

    KeyFile(Path path, Parser parser) {
        this.path = path;
        this.parser = parser;
        try {
            readAt = Files.getLastModifiedTime(path);
            keys = List.copyOf(parser.parse(Files.readString(path)));
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot read the token keys in " + path + ": " + e.getMessage(), e);
        }
        lookedAt = System.nanoTime();
    }

    List<JWK> keys() {
        long now = System.nanoTime();
        if (now - lookedAt >= LOOK_EVERY_NANOS) {
            lookedAt = now;
            reloadIfChanged();
        }
        return keys;
    }

    private synchronized void reloadIfChanged() {
        try {
            FileTime modified = Files.getLastModifiedTime(path);
            if (modified.equals(readAt)) {
                return;
            }
            keys = List.copyOf(parser.parse(Files.readString(path)));
            readAt = modified;
            LOG.info(() -> "token keys re-read from " + path + ": " + keys.size() + " key(s)");
        } catch (IOException e) {
            LOG.warning(() -> "cannot read the token keys in " + path + "; keeping the " + keys.size()
                    + " read before: " + e);
        } catch (Exception e) {
            LOG.warning(() -> "the token keys in " + path + " do not parse; keeping the " + keys.size()
                    + " read before: " + e.getMessage());
        }
    }
}
