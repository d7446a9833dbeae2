package co.signalchannel.web;

import jakarta.servlet.ReadListener;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class OpenedFirstReadListenerTest {

    private final List<String> events = new ArrayList<>();
    private final ReadListener tyrus = new ReadListener() {
        @Override
        public void onDataAvailable() {
            events.add("data");
        }

        @Override
        public void onAllDataRead() {
            events.add("all read");
        }

        @Override
        public void onError(Throwable failure) {
            events.add("error " + failure.getMessage());
        }
    };
    private final OpenedFirstReadListener listener = new OpenedFirstReadListener(tyrus);

    @Test
    void anErrorBeforeTheHandlerIsOpenedIsDeliveredOnceItIs() {
        listener.onError(new IOException("reset by peer"));
        assertThat(events).isEmpty();

        listener.opened();

        assertThat(events).containsExactly("error reset by peer");
    }

    @Test
    void theEndOfInputBeforeTheHandlerIsOpenedIsDeliveredOnceItIs() {
        listener.onAllDataRead();
        listener.opened();
        listener.opened(); // delivered once

        assertThat(events).containsExactly("all read");
    }

    @Test
    void dataIsNeverHeldBackAndEndsAfterOpeningPassAtOnce() throws IOException {
        listener.onDataAvailable();
        listener.opened();
        listener.onDataAvailable();
        listener.onError(new IOException("gone"));

        assertThat(events).containsExactly("data", "data", "error gone");
    }

    @Test
    void aHandlerOpenedWithoutAnEndDeliversNothing() {
        listener.opened();

        assertThat(events).isEmpty();
    }
}
