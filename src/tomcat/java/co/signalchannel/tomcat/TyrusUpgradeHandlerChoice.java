package co.signalchannel.tomcat;

import co.signalchannel.web.FrameLimitFilter;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Names {@link NonBlockingTyrusUpgradeHandler} as the handler to run in place of Tyrus' own: the
 * application's {@link FrameLimitFilter}, which already stands between Tyrus and the container's
 * upgrade, creates it.
 */
@WebListener
public class TyrusUpgradeHandlerChoice implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        event.getServletContext().setAttribute(FrameLimitFilter.TYRUS_HANDLER_ATTRIBUTE, NonBlockingTyrusUpgradeHandler.class);
    }
}
