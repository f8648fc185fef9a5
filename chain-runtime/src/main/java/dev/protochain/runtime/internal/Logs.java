package dev.protochain.runtime.internal;

import java.text.MessageFormat;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Where the runtime and its providers log. With an SLF4J provider (a logging backend) beside the
 * runtime, both log through SLF4J. Without one, SLF4J is never initialised, so an application that
 * brought no backend sees no "No SLF4J providers were found" warning: the runtime's own lines are
 * dropped (as SLF4J would drop them), and a provider's {@link
 * dev.protochain.api.spi.ProviderContext#logger() logger} is the JDK's platform logger of the same
 * name ({@link System#getLogger}).
 *
 * <p>This class is thread-safe.
 */
public final class Logs {

  private Logs() {}

  private static final class Backend {
    static final boolean PRESENT = find();

    /** Looks where SLF4J 2 looks, without initialising it. */
    private static boolean find() {
      if (System.getProperty("slf4j.provider") != null) {
        return true;
      }
      try {
        return ServiceLoader.load(
                SLF4JServiceProvider.class, SLF4JServiceProvider.class.getClassLoader())
            .stream()
            .findAny()
            .isPresent();
      } catch (ServiceConfigurationError e) {
        return true; // a broken registration: let SLF4J itself report it
      }
    }
  }

  /** Returns whether an SLF4J backend is beside the runtime. */
  public static boolean slf4jBackend() {
    return Backend.PRESENT;
  }

  /**
   * Returns the runtime's own logger: SLF4J's of {@code RealChainRuntime}, or one that drops all.
   */
  public static Logger runtime() {
    return Backend.PRESENT ? LoggerFactory.getLogger(RealChainRuntime.class) : NOPLogger.NOP_LOGGER;
  }

  /**
   * Returns the logger handed to a provider: {@code name}'s SLF4J logger seen as a {@link
   * System.Logger} when there is a backend, the JDK's platform logger {@code name} otherwise.
   */
  public static System.Logger provider(String name) {
    return Backend.PRESENT
        ? new Slf4jSystemLogger(LoggerFactory.getLogger(name))
        : System.getLogger(name);
  }

  /**
   * A {@link System.Logger} over an SLF4J logger: levels map by name ({@code ALL} to {@code TRACE},
   * {@code WARNING} to {@code WARN}, {@code OFF} to nothing), parameters format as {@link
   * MessageFormat} does, as {@code System.Logger} specifies.
   */
  private record Slf4jSystemLogger(Logger log) implements System.Logger {

    @Override
    public String getName() {
      return log.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
      return switch (level) {
        case ALL, TRACE -> log.isTraceEnabled();
        case DEBUG -> log.isDebugEnabled();
        case INFO -> log.isInfoEnabled();
        case WARNING -> log.isWarnEnabled();
        case ERROR -> log.isErrorEnabled();
        case OFF -> false;
      };
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (isLoggable(level)) {
        log.atLevel(slf4j(level)).setCause(thrown).log(localized(bundle, msg));
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      if (isLoggable(level)) {
        String pattern = localized(bundle, format);
        log.atLevel(slf4j(level))
            .log(
                params == null || params.length == 0
                    ? pattern
                    : new MessageFormat(pattern).format(params));
      }
    }

    private static org.slf4j.event.Level slf4j(Level level) {
      return switch (level) {
        case ALL, TRACE -> org.slf4j.event.Level.TRACE;
        case DEBUG -> org.slf4j.event.Level.DEBUG;
        case INFO -> org.slf4j.event.Level.INFO;
        case WARNING -> org.slf4j.event.Level.WARN;
        case ERROR, OFF -> org.slf4j.event.Level.ERROR;
      };
    }

    private static String localized(ResourceBundle bundle, String msg) {
      if (bundle == null || msg == null) {
        return msg;
      }
      try {
        return bundle.getString(msg);
      } catch (MissingResourceException e) {
        return msg;
      }
    }
  }
}
