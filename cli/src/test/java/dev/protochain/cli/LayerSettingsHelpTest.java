package dev.protochain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer's settings, with their defaults and meaning, are listed at the command line from the
 * providers' descriptors: by {@code catalog layers} and by {@code catalog install --layer NAME
 * --help}.
 */
class LayerSettingsHelpTest {

  static final String COALESCE =
      "coalesce 1.0.0 (provider 24cae5cd-ba45-4971-a8a2-fcb69c59e043): Holds small writes until a"
          + " size threshold, a delay, a flush or a close.\n"
          + "  threshold         bytes held before they are sent (default: 8192)\n"
          + "  delay             longest time a byte is held; 0 holds until threshold, flush or close"
          + " (default: 20ms)\n"
          + "  flush-on-receive  send held bytes before a receive blocks (default: true)\n";

  @TempDir Path home;

  @Test
  void layersListsOneLayerWithItsSettingsDefaultsAndMeaning() {
    Cli cli = new Cli(home);
    assertEquals(COALESCE, cli.ok("catalog", "layers", "coalesce"));
  }

  @Test
  void installHelpForALayerListsItsSettings() {
    Cli.Run r = new Cli(home).run("catalog", "install", "--layer", "coalesce", "--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.stdout().endsWith("\nSettings of the layer (--set KEY=VALUE):\n" + COALESCE), r.stdout());
  }

  @Test
  void installHelpWithoutALayerSaysWhereTheSettingsAre() {
    Cli.Run r = new Cli(home).run("catalog", "install", "--help");
    assertEquals(0, r.code(), r.toString());
    assertTrue(
        r.stdout()
            .endsWith(
                "\nEach layer's settings: protochain catalog install --layer NAME --help, or"
                    + " protochain catalog layers.\n"),
        r.stdout());
  }

  @Test
  void layersListsEveryStockLayer() {
    String all = new Cli(home).ok("catalog", "layers");
    for (String layer :
        new String[] {
          "coalesce",
          "deflate",
          "fault",
          "filter",
          "metrics",
          "ratelimit",
          "socks5",
          "tls",
          "trace",
          "websocket"
        }) {
      assertTrue(all.contains("\n" + layer + " 1.0.0 (provider ") || all.startsWith(layer), layer);
    }
  }

  @Test
  void anUnknownLayerIsRefusedWithTheLayersThere() {
    Cli cli = new Cli(home);
    cli.ok("catalog", "show"); // creates the home, whose note would come first
    Cli.Run r = cli.run("catalog", "layers", "gzip");
    assertEquals(1, r.code(), r.toString());
    assertTrue(
        r.err()
            .startsWith(
                "protochain catalog layers: there is no layer named 'gzip' on the class path or among"
                    + " the installed plugins (layers there: coalesce, deflate, "),
        r.err());
  }
}
