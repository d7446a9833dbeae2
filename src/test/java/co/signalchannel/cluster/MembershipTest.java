package co.signalchannel.cluster;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipTest {

    private final Membership membership = new Membership();

    @Test
    void aNodeWhoseReportExpiredIsLostOnce() {
        assertThat(membership.update(Map.of("a", "{}", "b", "{}"))).isEmpty();
        assertThat(membership.update(Map.of("a", "{}"))).containsExactly("b");
        assertThat(membership.update(Map.of("a", "{}"))).isEmpty();
    }

    @Test
    void aNodeSeenAgainIsNewAndCanBeLostAgain() {
        membership.update(Map.of("a", "{}"));
        membership.update(Map.of());
        membership.update(Map.of("a", "{}"));

        assertThat(membership.update(Map.of())).containsExactly("a");
    }

    @Test
    void afterRedisWasLostNodesThatHaveNotReportedAgainAreNotLost() {
        membership.update(Map.of("a", "{}", "b", "{}", "c", "{}"));
        membership.forget();

        assertThat(membership.update(Map.of("a", "{}"))).isEmpty();
        assertThat(membership.update(Map.of("a", "{}", "b", "{}"))).isEmpty();
        assertThat(membership.update(Map.of("b", "{}"))).containsExactly("a");
    }

    @Test
    void theLiveNodesKeepTheOrderRedisListedThemIn() {
        Map<String, String> reports = new LinkedHashMap<>();
        reports.put("c", "{\"sessions\":1}");
        reports.put("a", "{\"sessions\":2}");
        membership.update(reports);

        assertThat(membership.alive().keySet()).containsExactly("c", "a");
    }

    @Test
    void passwordsAreNotLogged() {
        assertThat(ClusterNode.withoutPassword("redis://:s3cret@redis.internal:6379/0"))
                .isEqualTo("redis://***@redis.internal:6379/0");
        assertThat(ClusterNode.withoutPassword("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    }
}
