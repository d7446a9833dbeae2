package co.signalchannel.tomcat;

import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.WebConnection;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

import java.io.IOException;

/** Tyrus' upgrade handler, given a connection whose output stream is non-blocking from the start. */
public class NonBlockingTyrusUpgradeHandler extends TyrusHttpUpgradeHandler {

    @Override
    public void init(WebConnection connection) {
        super.init(new NonBlockingConnection(connection));
    }

    private static final class NonBlockingConnection implements WebConnection {

        private final WebConnection connection;
        private final NonBlockingOutputStream output;

        NonBlockingConnection(WebConnection connection) {
            this.connection = connection;
            try {
                // Here, in init(), is the container thread where the stream may switch modes.
                this.output = new NonBlockingOutputStream(connection.getOutputStream());
            } catch (IOException e) {
                throw new IllegalStateException("the upgraded connection has no output stream", e);
            }
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            return connection.getInputStream();
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return output;
        }

        @Override
        public void close() {
            output.closeWhenSent(connection::close);
        }
    }
}
