package co.signalchannel.browser;

import co.signalchannel.testing.Deployments;
import co.signalchannel.testing.Endpoints;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The channel demo page in two real browsers: presence, a peer connection (direct, or through the
 * relay when WebRTC is off), and the chat over a stream named "chat".
 */
@ExtendWith({ArquillianExtension.class, Chromium.ConsoleOnFailure.class})
class ChannelDemoIT {

    @Deployment(testable = false)
    static WebArchive deployment() {
        return Deployments.signalChannel("channel-demo", Map.of());
    }

    /** The deployment, on 127.0.0.1: a secure context (for the camera) and no traffic on a real interface. */
    final Endpoints endpoints = Endpoints.deployed("channel-demo");

    /** One browser per peer, shared by the tests (each test has a namespace of its own). */
    static final Map<String, Chromium> browsers = new HashMap<>();
    String namespace;

    @BeforeEach
    void setUp() {
        Chromium.assumeInstalled();
        namespace = "channel demo " + UUID.randomUUID();
    }

    @AfterEach
    void leavePages() {
        browsers.values().forEach(Chromium::reset);
    }

    @AfterAll
    static void closeBrowsers() {
        browsers.values().forEach(Chromium::close);
        browsers.clear();
    }

    /** Opens the channel demo as {@code name} on this test's namespace, with extra query parameters. */
    Chromium page(String name, String extraQuery) {
        Chromium browser = browsers.computeIfAbsent(name, Chromium::launch);
        browser.open(endpoints.http("examples/channel/?ns="
                + URLEncoder.encode(namespace, StandardCharsets.UTF_8) + "&name=" + name + extraQuery));
        return browser;
    }

    /** Waits until the page lists {@code peer} as connected over {@code transport} with its chat stream open. */
    static void awaitConnected(Chromium page, String peer, String transport) {
        page.await(peer + " connected over " + transport, driver -> driver.findElements(By.cssSelector(
                "#peers li[data-name='" + peer + "'][data-state='open'][data-transport='" + transport + "'][data-chat='open']"))
                .size() == 1);
    }

    static void say(Chromium page, String text) {
        WebElement input = page.driver.findElement(By.id("message"));
        input.sendKeys(text, Keys.ENTER);
    }

    static void awaitMessage(Chromium page, String from, String text) {
        page.await("a message from " + from + ": " + text, driver -> driver.findElements(
                By.cssSelector("#log li[data-from='" + from + "']")).stream()
                .anyMatch(line -> line.getText().endsWith(text)));
    }

    static void awaitGone(Chromium page, String peer) {
        page.await(peer + " gone from the peer list",
                driver -> driver.findElements(By.cssSelector("#peers li[data-name='" + peer + "']")).isEmpty());
    }

    @Test
    void twoPagesSeeEachOtherConnectDirectlyChatBothWaysAndSeeALeave() {
        Chromium alice = page("alice", "");
        Chromium bob = page("bob", "");

        awaitConnected(alice, "bob", "rtc");
        awaitConnected(bob, "alice", "rtc");
        say(alice, "hello bob, peer to peer");
        awaitMessage(bob, "alice", "hello bob, peer to peer");
        say(bob, "hi alice");
        awaitMessage(alice, "bob", "hi alice");

        // Really direct: an RTCPeerConnection whose selected candidate pair is plain addresses (no mDNS).
        Object candidate = alice.await("a selected candidate pair", driver -> driver.executeAsyncScript("""
                const done = arguments[0];
                const connection = window.node.connections.find((c) => c.state === 'open');
                connection.rtc.getStats().then((stats) => {
                  const pair = [...stats.values()].find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
                  done(pair ? stats.get(pair.localCandidateId).address : null);
                });
                """));
        assertThat(candidate).asString().isNotBlank().doesNotEndWith(".local");

        bob.leave();
        awaitGone(alice, "bob");
        assertThat(alice.driver.findElement(By.id("log")).getText()).contains("bob left");
    }

    @Test
    void withWebRtcSwitchedOffTheRelayCarriesTheChat() {
        Chromium alice = page("alice", "&relay=1");
        Chromium bob = page("bob", "");

        awaitConnected(alice, "bob", "relay");
        awaitConnected(bob, "alice", "relay");
        say(bob, "through the server");
        awaitMessage(alice, "bob", "through the server");
        say(alice, "and back");
        awaitMessage(bob, "alice", "and back");
        assertThat(alice.script("return window.node.connections[0].rtc")).isNull();

        alice.leave();
        awaitGone(bob, "alice");
    }

    @Test
    void aPageThatStopsHeartbeatingLeavesAfterTheTimeout() {
        Chromium alice = page("alice", "&heartbeat=250");
        Chromium bob = page("bob", "&heartbeat=250");
        awaitConnected(alice, "bob", "rtc");

        // Freeze bob's page as a sleeping laptop would: its timers stop, nothing says goodbye.
        bob.driver.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "frozen"));

        awaitGone(alice, "bob");
        assertThat(alice.driver.findElement(By.id("log")).getText()).contains("bob left (no heartbeat)");
    }
}
