package io.planstream.app.config;

import java.nio.file.Path;
import java.util.logging.Level;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Where this process's log goes, for the line that {@code demo} and {@code serve} print at start: Quarkus's own
 * file and console settings (application.properties), as the command line and the environment left them.
 */
@Singleton
public class LogFile {

    @ConfigProperty(name = "quarkus.log.file.enabled", defaultValue = "false")
    boolean enabled;

    @ConfigProperty(name = "quarkus.log.file.path", defaultValue = "quarkus.log")
    Path path;

    @ConfigProperty(name = "quarkus.log.console.level", defaultValue = "ALL")
    String consoleLevel;

    /** Whether INFO lines reach the console. */
    public boolean infoOnConsole() {
        return parse(consoleLevel).intValue() <= Level.INFO.intValue();
    }

    /** One line: the file, and whether the console shows INFO. */
    public String describe() {
        if (!enabled) {
            return "log on the console";
        }
        String file = "log in " + path.toAbsolutePath().normalize();
        return infoOnConsole() ? file + " and on the console"
                : file + " (warnings and errors here too; --verbose shows all of it here)";
    }

    private static Level parse(String level) {
        try {
            return org.jboss.logmanager.Level.parse(level.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Level.ALL;
        }
    }
}
