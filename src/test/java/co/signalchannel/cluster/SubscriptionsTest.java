package co.signalchannel.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionsTest {

    private final Subscriptions subscriptions = new Subscriptions();

    @Test
    void aChannelIsSubscribedForItsFirstUserAndUnsubscribedAfterItsLast() {
        assertThat(subscriptions.acquire("echo:a")).isTrue();
        assertThat(subscriptions.acquire("echo:a")).isFalse();
        assertThat(subscriptions.release("echo:a")).isFalse();
        assertThat(subscriptions.release("echo:a")).isTrue();
        assertThat(subscriptions.release("echo:a")).as("released more often than acquired").isFalse();
        assertThat(subscriptions.wantedCount()).isZero();
    }

    @Test
    void afterAReconnectWhatIsWantedIsSubscribedAndWhatRedisMayStillSendIsUnsubscribed() {
        subscriptions.acquire("kept");
        subscriptions.acquire("left while Redis was away");
        subscriptions.release("left while Redis was away"); // its unsubscribe never reached Redis
        subscriptions.acquire("left cleanly");
        subscriptions.release("left cleanly");
        subscriptions.unsubscribed("left cleanly");

        Subscriptions.Reconcile reconcile = subscriptions.reconcile();

        assertThat(reconcile.subscribe()).containsExactly("kept");
        assertThat(reconcile.unsubscribe()).containsExactly("left while Redis was away");
    }

    @Test
    void anUnsubscribeConfirmedAfterTheChannelWasWantedAgainKeepsIt() {
        subscriptions.acquire("a");
        subscriptions.release("a");
        subscriptions.acquire("a");
        subscriptions.unsubscribed("a"); // the confirmation of the first unsubscribe

        assertThat(subscriptions.isWanted("a")).isTrue();
        assertThat(subscriptions.reconcile().subscribe()).containsExactly("a");
    }

    @Test
    void anUnsubscribeNobodyAskedForOfAWantedChannelIsALoss() {
        subscriptions.acquire("moved");
        assertThat(subscriptions.unsubscribed("moved")).as("Redis dropped it: its slot moved").isTrue();
        assertThat(subscriptions.isWanted("moved")).isTrue();

        subscriptions.release("moved");
        subscriptions.acquire("moved");
        assertThat(subscriptions.unsubscribed("moved")).as("the confirmation of the unsubscribe asked for").isFalse();
    }

    @Test
    void anUnsubscribeThatNeverReachedRedisIsNotAwaited() {
        subscriptions.acquire("a");
        subscriptions.release("a");
        subscriptions.unsubscribeFailed("a");
        subscriptions.acquire("a");

        assertThat(subscriptions.unsubscribed("a")).isTrue();
    }
}
