package co.signalchannel.testing;

/** Polling for a condition the server reaches asynchronously. */
public final class Waiting {

    public interface Condition {
        boolean holds() throws Exception;
    }

    private Waiting() {
    }

    /** Waits until {@code condition} holds; fails after {@link TestClient#WAIT}. */
    public static void until(Condition condition) throws Exception {
        long deadline = System.nanoTime() + TestClient.WAIT.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + TestClient.WAIT);
            }
            Thread.sleep(25);
        }
    }
}
