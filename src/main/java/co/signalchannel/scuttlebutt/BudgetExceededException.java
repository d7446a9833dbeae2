package co.signalchannel.scuttlebutt;

import java.util.List;

/**
 * An update the server-wide {@link ByteBudget} has no room for. {@link ExpiryModel#apply} throws it
 * having changed nothing; {@link ReplicationStream#receive} passes it on with the updates of the
 * same message that were applied before it ({@link #accepted()}), which the namespace must still
 * pass on to its other sessions so that they keep in step with the model.
 */
public final class BudgetExceededException extends RuntimeException {

    private final transient List<Update> accepted;

    BudgetExceededException(String message) {
        this(message, List.of());
    }

    private BudgetExceededException(String message, List<Update> accepted) {
        super(message, null, false, false);
        this.accepted = accepted;
    }

    /** The updates applied before the refused one, in the order applied. */
    public List<Update> accepted() {
        return accepted;
    }

    /** This refusal, after {@code accepted} were applied. */
    BudgetExceededException after(List<Update> accepted) {
        return new BudgetExceededException(getMessage(), List.copyOf(accepted));
    }
}
