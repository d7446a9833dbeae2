package co.signalchannel.access;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TrustedProxiesTest {

    final TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.0/25, 2001:db8:ff::/48, ::1, 127.0.0.1");

    String viaXff(String peer, String... xForwardedFor) {
        return proxies.clientOf(peer, List.of(), List.of(xForwardedFor));
    }

    String viaForwarded(String peer, String... forwarded) {
        return proxies.clientOf(peer, List.of(forwarded), List.of());
    }

    @Test
    void aPeerThatIsNoListedProxyIsTheClientWhateverItsHeadersClaim() {
        assertThat(viaXff("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
        assertThat(viaForwarded("203.0.113.7", "for=198.51.100.1")).isEqualTo("203.0.113.7");
        assertThat(TrustedProxies.parse("").clientOf("10.0.0.1", List.of("for=198.51.100.1"), List.of("198.51.100.1")))
                .isEqualTo("10.0.0.1");
    }

    @Test
    void throughATrustedProxyTheClientIsTheRightmostHopThatIsNoProxy() {
        assertThat(viaXff("10.0.0.1", "198.51.100.1")).isEqualTo("198.51.100.1");
        // The leftmost entries are whatever the client sent; the proxy appended the real one.
        assertThat(viaXff("10.0.0.1", "1.1.1.1, 2.2.2.2, 198.51.100.1")).isEqualTo("198.51.100.1");
        assertThat(viaXff("10.0.0.1", "1.1.1.1", "198.51.100.1")).isEqualTo("198.51.100.1");
    }

    @Test
    void aChainOfTrustedProxiesIsWalkedThrough() {
        assertThat(viaXff("10.0.0.1", "1.1.1.1, 198.51.100.1, 10.9.9.9, 192.168.1.5")).isEqualTo("198.51.100.1");
        assertThat(viaXff("::1", "198.51.100.1, 127.0.0.1")).isEqualTo("198.51.100.1");
        assertThat(viaForwarded("10.0.0.1", "for=1.1.1.1, for=198.51.100.1", "for=10.1.1.1;proto=https"))
                .isEqualTo("198.51.100.1");
    }

    @Test
    void whenEveryHopIsATrustedProxyTheLeftmostIsTheClient() {
        assertThat(viaXff("10.0.0.1", "10.0.0.3, 10.0.0.2")).isEqualTo("10.0.0.3");
    }

    @Test
    void aTrustedProxyWithoutForwardingHeadersIsItselfTheClient() {
        assertThat(viaXff("10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(viaXff("10.0.0.1", "")).isEqualTo("10.0.0.1");
    }

    @Test
    void forwardedIsReadWithQuotesIPv6BracketsPortsAndAnyCase() {
        assertThat(viaForwarded("10.0.0.1", "for=\"[2001:db8::17]:4711\";proto=https;by=10.0.0.1"))
                .isEqualTo("2001:db8:0:0:0:0:0:17");
        assertThat(viaForwarded("10.0.0.1", "For=\"198.51.100.1:4711\"")).isEqualTo("198.51.100.1");
        assertThat(viaForwarded("10.0.0.1", "proto=https; FOR=198.51.100.1 ; host=example.org")).isEqualTo("198.51.100.1");
        assertThat(viaForwarded("10.0.0.1", "for=\"[2001:db8::17]\"")).isEqualTo("2001:db8:0:0:0:0:0:17");
    }

    @Test
    void forwardedWinsOverXForwardedFor() {
        assertThat(proxies.clientOf("10.0.0.1", List.of("for=198.51.100.1"), List.of("198.51.100.2")))
                .isEqualTo("198.51.100.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"for=unknown", "for=_hidden", "for=\"_gazonk\"", "proto=https", "for=", "for=\"[::1\""})
    void anUnknownOrObfuscatedHopLeavesTheLastTrustedProxyAsTheClient(String hop) {
        assertThat(viaForwarded("10.0.0.1", hop)).isEqualTo("10.0.0.1");
        assertThat(viaForwarded("10.0.0.1", "for=198.51.100.1, " + hop + ", for=10.0.0.2")).isEqualTo("10.0.0.2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "999.1.1.1", "1.2.3", "1.2.3.4.5", "example.org", "0x7f.0.0.1", "1.2.3.-4",
            "::g", "unknown", "1:2:3:4:5:6:7:8:9", "198.51.100.1.nip.io", "[localhost]"})
    void namesAndMalformedAddressesInAHeaderAreNotAddressesAndAreNeverLookedUp(String hop) {
        assertThat(viaXff("10.0.0.1", "198.51.100.9, " + hop)).isEqualTo("10.0.0.1");
        assertThat(viaForwarded("10.0.0.1", "for=198.51.100.9, for=\"" + hop + "\"")).isEqualTo("10.0.0.1");
        assertThat(TrustedProxies.literal(hop)).isEmpty();
    }

    @Test
    void oneClientIsOneKeyHoweverAnAddressIsSpelt() {
        assertThat(viaXff("10.0.0.1", "2001:DB8::0:17")).isEqualTo("2001:db8:0:0:0:0:0:17");
        assertThat(viaXff("10.0.0.1", "[2001:db8::17]:443")).isEqualTo("2001:db8:0:0:0:0:0:17");
        assertThat(viaXff("10.0.0.1", "198.51.100.1:5000")).isEqualTo("198.51.100.1");
        assertThat(viaXff("10.0.0.1", "::ffff:198.51.100.1")).isEqualTo("198.51.100.1");
        assertThat(viaXff("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(viaXff("0:0:0:0:0:0:0:2")).isEqualTo("0:0:0:0:0:0:0:2");
        assertThat(viaXff("::2")).isEqualTo("0:0:0:0:0:0:0:2");
    }

    @Test
    void aTrustedPeerIsRecognisedHoweverItsAddressIsSpelt() {
        assertThat(viaXff("0:0:0:0:0:0:0:1", "198.51.100.1")).isEqualTo("198.51.100.1");
        assertThat(viaXff("[::1]", "198.51.100.1")).isEqualTo("198.51.100.1");
        assertThat(viaXff("::ffff:10.1.2.3", "198.51.100.1")).isEqualTo("198.51.100.1");
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.0.0/8,       10.0.0.0,        true",
            "10.0.0.0/8,       10.255.255.255,  true",
            "10.0.0.0/8,       11.0.0.0,        false",
            "10.0.0.0/8,       9.255.255.255,   false",
            "192.168.1.0/25,   192.168.1.127,   true",
            "192.168.1.0/25,   192.168.1.128,   false",
            "192.168.1.0/31,   192.168.1.1,     true",
            "192.168.1.0/31,   192.168.1.2,     false",
            "192.168.1.7/32,   192.168.1.7,     true",
            "192.168.1.7/32,   192.168.1.6,     false",
            "192.168.1.7,      192.168.1.7,     true",
            "172.16.0.0/12,    172.31.255.255,  true",
            "172.16.0.0/12,    172.32.0.0,      false",
            "172.16.0.0/12,    172.15.255.255,  false",
            "0.0.0.0/0,        203.0.113.1,     true",
            "0.0.0.0/0,        ::1,             false",
            "10.1.2.3/8,       10.200.0.1,      true",
            "2001:db8::/32,    2001:db8:ffff::1, true",
            "2001:db8::/32,    2001:db9::1,     false",
            "2001:db8:ff::/47, 2001:db8:ff:1::, true",
            "2001:db8:fe::/47, 2001:db8:ff::,   true",
            "2001:db8:fe::/47, 2001:db8:100::,  false",
            "fe80::/10,        febf::1,         true",
            "fe80::/10,        fec0::1,         false",
            "::/0,             2001:db8::1,     true",
            "::/0,             10.0.0.1,        false",
            "::1/128,          ::1,             true",
            "::1/128,          ::2,             false",
            "[::1],            ::1,             true",
            "fe80::1%eth0,     fe80::1,         true"})
    void blocksHoldExactlyTheAddressesTheirPrefixCovers(String block, String address, boolean trusted) {
        assertThat(TrustedProxies.parse(block).isTrusted(address)).isEqualTo(trusted);
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/", "10.0.0.0/x",
            "10.0.0.0/8/8", "999.0.0.1", "10.0.0", "proxy.example.org", "*", "10.0.0.0/ 8"})
    void anEntryThatIsNoAddressOrBlockThrowsNamingIt(String entry) {
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.1," + entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"" + entry + "\"");
    }

    @Test
    void emptyEntriesAreSkipped() {
        assertThat(TrustedProxies.parse(" , 10.0.0.1 ,, ").isTrusted("10.0.0.1")).isTrue();
        assertThat(TrustedProxies.parse("").isTrusted("10.0.0.1")).isFalse();
    }
}
