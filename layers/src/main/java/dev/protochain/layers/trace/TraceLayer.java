package dev.protochain.layers.trace;

import dev.protochain.api.ChainSocket;
import dev.protochain.api.EntryKind;
import dev.protochain.api.spi.AbstractLayer;
import dev.protochain.api.spi.ProviderContext;
import dev.protochain.api.spi.ProviderInfo;
import dev.protochain.api.spi.SettingInfo;
import dev.protochain.api.spi.StartupContext;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs every operation of the sockets passing through it, with its outcome, through SLF4J under the
 * logger {@code protochain.trace.<entry name>}; otherwise changes nothing.
 *
 * <p>Settings: {@code level} ({@code trace}, {@code debug} or {@code info}; the default is its
 * {@code @SettingInfo}'s). When the level is disabled, a traced operation costs one check.
 */
@ProviderInfo(
    id = "b103522e-ae6d-4bd9-97f8-2ed05f7e13ee",
    name = "trace",
    kind = EntryKind.LAYER,
    version = "1.0.0",
    description = "Logs every socket operation through SLF4J and passes it on unchanged.",
    settings =
        @SettingInfo(
            name = "level",
            defaultValue = "debug",
            description = "the SLF4J level of the log lines: trace, debug or info"))
public final class TraceLayer extends AbstractLayer {

  private volatile Logger log;
  private volatile Level level;

  /** Creates the layer; the runtime calls this. */
  public TraceLayer() {}

  @Override
  protected void onLoad(ProviderContext context) {
    String value = settings().getString("level").trim().toUpperCase(Locale.ROOT);
    switch (value) {
      case "TRACE":
      case "DEBUG":
      case "INFO":
        level = Level.valueOf(value);
        break;
      default:
        throw new IllegalArgumentException(
            "setting 'level' of "
                + context.entry()
                + " = '"
                + settings().getString("level")
                + "' (expected: trace, debug or info)");
    }
    log = LoggerFactory.getLogger("protochain.trace." + context.entry().name());
  }

  @Override
  public ChainSocket wrap(ChainSocket below, StartupContext context) {
    return new TraceSocket(below, log, level);
  }
}
