package dev.protochain.testkit;

import java.util.Map;
import java.util.Objects;

/**
 * Settings a provider must refuse, and the whole message of the exception it refuses them with (the
 * cause of the runtime's {@code PROVIDER_FAILED_INIT}).
 *
 * <p>In a {@link LayerContract} the layer's own entry is always {@code entry 2001 '<name>'
 * (layer)}, so a message built by {@link dev.protochain.api.Settings} reads, for example, {@code
 * setting 'level' of entry 2001 'trace' (layer) = 'loud' (expected: trace, debug or info)}.
 *
 * @param settings the settings, over the contract's own
 * @param expectedMessage the whole message of the provider's exception
 */
public record BadSettings(Map<String, String> settings, String expectedMessage) {

  /** Creates the case, copying the settings. */
  public BadSettings {
    settings = Map.copyOf(settings);
    Objects.requireNonNull(expectedMessage, "expectedMessage");
  }

  /** Returns a case: {@code settings} must be refused with {@code expectedMessage}. */
  public static BadSettings of(Map<String, String> settings, String expectedMessage) {
    return new BadSettings(settings, expectedMessage);
  }
}
