package co.signalchannel.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.servlet.ServletContext;

/**
 * Holds the server's {@link Settings}, resolved once when the web application starts.
 */
@ApplicationScoped
public class Configuration {

    private volatile Settings settings;

    /** Resolves the settings as soon as the application starts, so a bad value fails the deployment. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) ServletContext context) {
        settings = Settings.resolve(System::getProperty, System::getenv, context::getInitParameter);
    }

    public Settings settings() {
        Settings resolved = settings;
        if (resolved == null) {
            // Only reached where the container fired no start-up event with a ServletContext.
            resolved = Settings.resolve(System::getProperty, System::getenv, name -> null);
            settings = resolved;
        }
        return resolved;
    }
}
