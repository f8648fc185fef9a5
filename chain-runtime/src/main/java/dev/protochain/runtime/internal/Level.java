package dev.protochain.runtime.internal;

import dev.protochain.api.spi.Provider;
import dev.protochain.api.spi.StartupContext;

/**
 * One provider started for one session: the slot whose count it holds, the instance it was started
 * on, the context of that startup, and the level below it ({@code null} at the base).
 */
record Level(ProviderSlot slot, Provider provider, StartupContext context, Level below) {}
