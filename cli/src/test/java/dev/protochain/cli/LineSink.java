package dev.protochain.cli;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An output stream that hands each complete line written to it to a queue, for tests that wait on
 * output.
 */
final class LineSink extends OutputStream {

  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private final StringBuilder all = new StringBuilder();
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  @Override
  public synchronized void write(int b) {
    if (b == '\n') {
      String l = line.toString(StandardCharsets.UTF_8);
      line.reset();
      all.append(l).append('\n');
      lines.add(l);
    } else {
      line.write(b);
    }
  }

  /** Returns the next line, waiting up to {@code seconds}; fails if none comes. */
  String next(int seconds) throws InterruptedException {
    String l = lines.poll(seconds, TimeUnit.SECONDS);
    if (l == null) {
      throw new AssertionError("no line within " + seconds + " s; so far: " + all());
    }
    return l;
  }

  /** Returns every complete line so far. */
  synchronized String all() {
    return all.toString();
  }
}
