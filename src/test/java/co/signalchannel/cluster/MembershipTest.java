package co.signalchannel.cluster;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MembershipTest {

    private final Membership membership = new Membership(9_000);

    @Test
    void aNodeWhoseReportExpiredIsLostOnce() {
        assertThat(membership.update(Map.of("a", "{}", "b", "{}"), 0)).isEmpty();
        assertThat(membership.update(Map.of("a", "{}"), 0)).containsExactly("b");
        assertThat(membership.update(Map.of("a", "{}"), 0)).isEmpty();
    }

    @Test
    void aNodeSeenAgainIsNewAndCanBeLostAgain() {
        membership.update(Map.of("a", "{}"), 0);
        membership.update(Map.of(), 0);
        membership.update(Map.of("a", "{}"), 0);

        assertThat(membership.update(Map.of(), 0)).containsExactly("a");
    }

    @Test
    void afterRedisWasLostNodesThatHaveNotReportedAgainAreNotLostYet() {
        membership.update(Map.of("a", "{}", "b", "{}", "c", "{}"), 0);
        membership.redisLost(1_000);
        membership.redisBack(5_000);

        assertThat(membership.update(Map.of("a", "{}"), 5_100)).isEmpty();
        assertThat(membership.update(Map.of("a", "{}", "b", "{}"), 8_000)).isEmpty();
        assertThat(membership.update(Map.of("b", "{}"), 9_000)).containsExactly("a");
    }

    @Test
    void aNodeThatDiedWhileRedisWasAwayIsLostANodeTimeoutAfterRedisIsBack() {
        membership.update(Map.of("a", "{}", "c", "{}"), 0);
        membership.redisLost(1_000);
        membership.redisBack(5_000);

        assertThat(membership.update(Map.of("a", "{}"), 13_999)).as("c may still report").isEmpty();
        assertThat(membership.update(Map.of("a", "{}"), 14_000)).containsExactly("c");
        assertThat(membership.update(Map.of("a", "{}"), 20_000)).as("lost once").isEmpty();
    }

    @Test
    void theLiveNodesKeepTheOrderRedisListedThemIn() {
        Map<String, String> reports = new LinkedHashMap<>();
        reports.put("c", "{\"sessions\":1}");
        reports.put("a", "{\"sessions\":2}");
        membership.update(reports, 0);

        assertThat(membership.alive().keySet()).containsExactly("c", "a");
    }

    @Test
    void passwordsAreNotLogged() {
        assertThat(ClusterNode.withoutPassword("redis://:s3cret@redis.internal:6379/0"))
                .isEqualTo("redis://***@redis.internal:6379/0");
        assertThat(ClusterNode.withoutPassword("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    }
}
