package co.signalchannel.testing;

import co.signalchannel.config.Setting;
import co.signalchannel.config.TextSetting;
import org.jboss.shrinkwrap.api.GenericArchive;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.Filters;
import org.jboss.shrinkwrap.api.importer.ExplodedImporter;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;

import java.io.File;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The archives the in-container tests deploy. */
public final class Deployments {

    private Deployments() {
    }

    /**
     * The application as compiled (main classes and web resources, no test code), with the given
     * settings as context parameters in a {@code web.xml}, as an operator would set them.
     *
     * <p>When the system property {@code signalchannel.war.overlay} names a directory, its files are
     * added too, as the server's own WAR adds them: the {@code tomcat} profile points it at what
     * {@code signal-channel-tomcat.war} bundles (Tyrus, Weld, Parsson, {@code META-INF/context.xml}).
     */
    public static WebArchive signalChannel(String name, Map<Setting, Long> settings) {
        return signalChannel(name, settings, Map.of());
    }

    /** {@link #signalChannel(String, Map)} with text settings (the cluster's, TURN's) as context parameters too. */
    public static WebArchive signalChannel(String name, Map<Setting, Long> settings, Map<TextSetting, String> texts) {
        WebArchive war = ShrinkWrap.create(WebArchive.class, name + ".war");
        war.merge(directory("target/classes"), "/WEB-INF/classes", Filters.includeAll());
        war.merge(directory("src/main/webapp"), "/", Filters.includeAll());
        String overlay = System.getProperty("signalchannel.war.overlay", "");
        if (!overlay.isBlank()) {
            war.merge(directory(overlay), "/", Filters.includeAll());
        }
        String parameters = Stream.concat(
                        settings.entrySet().stream().map(setting -> contextParameter(setting.getKey().propertyName(),
                                String.valueOf(setting.getValue()))),
                        texts.entrySet().stream().map(text -> contextParameter(text.getKey().propertyName(), text.getValue())))
                .collect(Collectors.joining("\n"));
        war.setWebXML(new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                %s
                </web-app>
                """.formatted(parameters)));
        return war;
    }

    private static String contextParameter(String name, String value) {
        return "  <context-param><param-name>" + name + "</param-name><param-value>" + xml(value)
                + "</param-value></context-param>";
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static GenericArchive directory(String path) {
        return ShrinkWrap.create(GenericArchive.class).as(ExplodedImporter.class).importDirectory(path)
                .as(GenericArchive.class);
    }

    /**
     * The very WAR that {@code mvn package} produced: {@code signal-channel.war}, or the one the
     * system property {@code signalchannel.war} names ({@code signal-channel-tomcat.war} on Tomcat).
     */
    public static WebArchive packaged(String name) {
        File war = new File(System.getProperty("signalchannel.war", "target/signal-channel.war"));
        return ShrinkWrap.create(ZipImporter.class, name + ".war").importFrom(war).as(WebArchive.class);
    }

    /**
     * Adds {@link ServerLog} to a test deployment: every problem the server logs while it is
     * deployed is served at {@code /test/server-log}.
     */
    public static WebArchive watchingServerLog(WebArchive war) {
        return war.addClasses(ServerLog.classes());
    }
}
