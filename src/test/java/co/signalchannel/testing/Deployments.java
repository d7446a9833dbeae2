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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The archives the in-container tests deploy. */
public final class Deployments {

    private Deployments() {
    }

    /**
     * The libraries the WAR bundles (Lettuce, nimbus-jose-jwt...), as {@code mvn package} gathered
     * them; the in-container tests run after it.
     */
    private static final String LIBRARIES = "target/signal-channel/WEB-INF/lib";

    /**
     * The application as compiled (main classes, web resources and bundled libraries, no test
     * code), with the given settings as context parameters in a {@code web.xml}, as an operator
     * would set them.
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
        if (new File(LIBRARIES).isDirectory()) {
            war.merge(directory(LIBRARIES), "/WEB-INF/lib", Filters.includeAll());
        }
        String overlay = System.getProperty("signalchannel.war.overlay", "");
        if (!overlay.isBlank()) {
            war.merge(directory(overlay), "/", Filters.includeAll());
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        settings.forEach((setting, value) -> parameters.put(setting.propertyName(), value.toString()));
        texts.forEach((setting, value) -> parameters.put(setting.propertyName(), value));
        return war.setWebXML(webXml(parameters));
    }

    /** A {@code web.xml} that sets the given context parameters (names as the server reads them). */
    private static StringAsset webXml(Map<String, String> contextParameters) {
        String parameters = contextParameters.entrySet().stream()
                .map(parameter -> "  <context-param><param-name>" + xml(parameter.getKey())
                        + "</param-name><param-value>" + xml(parameter.getValue()) + "</param-value></context-param>")
                .collect(Collectors.joining("\n"));
        return new StringAsset("""
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
                %s
                </web-app>
                """.formatted(parameters));
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
     * The WAR that {@code mvn package} produced (see {@link #packaged(String)}), libraries and all,
     * with settings as context parameters in a {@code web.xml}, as an operator would set them:
     * keys without their {@code signalchannel.} prefix, as {@link ServerNode.Spec} takes them
     * ({@code cluster.redis → redis://127.0.0.1:P}). For what the classes alone cannot run, such as
     * the cluster's Redis client, which only the packaged WAR bundles.
     */
    public static WebArchive packaged(String name, Map<String, String> settings) {
        Map<String, String> parameters = new LinkedHashMap<>();
        settings.forEach((key, value) -> parameters.put("signalchannel." + key, value));
        return packaged(name).setWebXML(webXml(parameters));
    }

    /**
     * Adds {@link ServerLog} to a test deployment: every problem the server logs while it is
     * deployed is served at {@code /test/server-log}.
     */
    public static WebArchive watchingServerLog(WebArchive war) {
        return war.addClasses(ServerLog.classes());
    }
}
