package dev.protochain.runtime.internal;

import dev.protochain.api.CatalogEntry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The open sessions of one runtime, by startup sequence: the count-level cleanup and the runtime's
 * close take the most recent first. Thread-safe.
 */
final class OpenSessions {

  private final Set<RealSession> open = ConcurrentHashMap.newKeySet();
  private final AtomicLong sequence = new AtomicLong();
  private final OpenSockets sockets;

  /** Makes the open sessions of a runtime whose open chain sockets are {@code sockets}. */
  OpenSessions(OpenSockets sockets) {
    this.sockets = sockets;
  }

  /** Returns the open chain sockets of the runtime, where a session registers those it opens. */
  OpenSockets sockets() {
    return sockets;
  }

  /** Returns a new session over {@code chain}, open until it is closed. */
  RealSession open(StartedChain chain) {
    RealSession session = new RealSession(this, chain, sequence.incrementAndGet());
    open.add(session);
    return session;
  }

  /** Forgets {@code session}, which is being closed. */
  void closed(RealSession session) {
    open.remove(session);
  }

  /** Returns the most recent open session of the entry {@code entryId}. */
  Optional<RealSession> latest(int entryId) {
    return open.stream()
        .filter(s -> s.entry().id() == entryId)
        .max(Comparator.comparingLong(RealSession::sequence));
  }

  int size() {
    return open.size();
  }

  /** Returns how many sessions are open on each entry. */
  Map<CatalogEntry, Integer> byEntry() {
    Map<CatalogEntry, Integer> out = new HashMap<>();
    open.forEach(s -> out.merge(s.entry(), 1, Integer::sum));
    return out;
  }

  /**
   * Closes every open session, most recent first; repeated until none is left, since a startup that
   * passed the runtime's closed check may still land.
   *
   * @throws IOException the first failure, with the others suppressed; every session is closed
   */
  void closeAll() throws IOException {
    IOException first = null;
    while (!open.isEmpty()) {
      List<RealSession> sessions = new ArrayList<>(open);
      sessions.sort(Comparator.comparingLong(RealSession::sequence).reversed());
      for (RealSession s : sessions) {
        try {
          s.close();
        } catch (IOException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
