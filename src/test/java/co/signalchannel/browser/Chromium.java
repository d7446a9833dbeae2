package co.signalchannel.browser;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Debian's headless Chromium, driven through its chromedriver, set up so that nothing leaves this
 * machine: no host name resolves (the pages load from 127.0.0.1), no STUN server is ever named, host
 * candidates are plain addresses rather than mDNS names (so nothing is multicast), and background
 * services (sync, updates, QUIC probing) are off.
 * Each instance has a fresh profile, deleted on {@link #close()}.
 *
 * <p>Where the binaries live can be changed with {@code -Dsignalchannel.chromium=...} and
 * {@code -Dsignalchannel.chromedriver=...}; when they are missing the calling test is skipped, with
 * a message saying what to install.
 */
final class Chromium implements AutoCloseable {

    static final Path BINARY = Path.of(System.getProperty("signalchannel.chromium", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getProperty("signalchannel.chromedriver", "/usr/bin/chromedriver"));
    /** How long a page may take to reach a state the test waits for. */
    static final Duration WAIT = Duration.ofSeconds(20);

    private static final List<Chromium> OPEN = new CopyOnWriteArrayList<>();

    final ChromeDriver driver;
    private final Path profile;
    private final String label;

    private Chromium(String label, boolean fakeMedia) {
        this.label = label;
        try {
            profile = Files.createTempDirectory("signal-channel-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BINARY.toFile());
        options.addArguments(
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
                "--disable-quic", "--window-size=1000,800",
                // Plain host candidates instead of mDNS names: no multicast, nothing to resolve.
                "--disable-features=WebRtcHideLocalIpsWithMdns,Translate,OptimizationHints,MediaRouter",
                // No name resolves but loopback, so nothing can reach out. Debian's build would otherwise open
                // its first tab on its search engine's start page (https://start.duckduckgo.com/).
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , EXCLUDE [::1]",
                "--user-data-dir=" + profile);
        if (fakeMedia) {
            options.addArguments("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
        }
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
        OPEN.add(this);
    }

    /** Skips the calling test when Chromium or its driver is not installed, saying what to install. */
    static void assumeInstalled() {
        boolean installed = Files.isExecutable(BINARY) && Files.isExecutable(DRIVER);
        String missing = "browser tests skipped: they need Chromium at " + BINARY + " and chromedriver at " + DRIVER
                + " (Debian/Ubuntu: apt-get install chromium chromium-driver; elsewhere point "
                + "-Dsignalchannel.chromium and -Dsignalchannel.chromedriver at them)";
        if (!installed && !warned) {
            warned = true;
            System.err.println("WARNING: " + missing);
        }
        Assumptions.assumeTrue(installed, missing);
    }

    private static volatile boolean warned;

    /** Starts a browser; {@code label} names it in diagnostics. */
    static Chromium launch(String label) {
        return new Chromium(label, false);
    }

    /** Starts a browser whose camera and microphone are Chromium's fake devices, allowed without asking. */
    static Chromium launchWithFakeMedia(String label) {
        return new Chromium(label, true);
    }

    void open(URI page) {
        driver.get(page.toString());
    }

    /** Leaves the page as a person closing it would: {@code pagehide} runs, the page's sockets close. */
    void leave() {
        driver.get("about:blank");
    }

    /** Brings the browser back to a blank page, whatever a test did to it, so the next test can use it. */
    void reset() {
        try {
            driver.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "active"));
        } catch (WebDriverException ignored) {
            // it was not frozen
        }
        leave();
    }

    Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Waits until {@code condition} is true (or non-null), polling; fails after {@link #WAIT}. */
    <T> T await(String what, Function<ChromeDriver, T> condition) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(50))
                .withMessage(() -> label + ": " + what)
                .until(browser -> condition.apply((ChromeDriver) browser));
    }

    /** What the pages logged to the console since the last call. */
    List<String> consoleLog() {
        List<String> lines = new ArrayList<>();
        try {
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                lines.add(entry.getLevel() + " " + entry.getMessage());
            }
        } catch (WebDriverException e) {
            lines.add("(console log unavailable: " + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return lines;
    }

    @Override
    public void close() {
        OPEN.remove(this);
        try {
            driver.quit();
        } finally {
            deleteProfile();
        }
    }

    /** Deletes the profile, retrying briefly: the browser may still be writing to it as it exits. */
    private void deleteProfile() {
        for (int attempt = 0; attempt < 20 && Files.exists(profile); attempt++) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException | UncheckedIOException ignored) {
                // files vanishing under the walk: try again
            }
            if (Files.exists(profile)) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Prints the console of every open browser when a test fails, before the browsers are closed. */
    static final class ConsoleOnFailure implements AfterTestExecutionCallback {
        @Override
        public void afterTestExecution(ExtensionContext context) {
            if (context.getExecutionException().isEmpty()) {
                return;
            }
            for (Chromium browser : OPEN) {
                System.out.println("---- console of " + browser.label + " (" + context.getDisplayName() + ")");
                try {
                    System.out.println("page: " + browser.driver.getCurrentUrl());
                } catch (WebDriverException ignored) {
                    // the page may be gone; the log may still be there
                }
                browser.consoleLog().forEach(System.out::println);
            }
        }
    }
}
