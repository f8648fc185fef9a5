/**
 * The {@code deflate} layer: framed {@code java.util.zip} compression of stream sockets, with a
 * bounded frame size.
 *
 * <p>Start with {@link dev.protochain.layers.deflate.DeflateLayer}, whose Javadoc gives the frame
 * format.
 */
package dev.protochain.layers.deflate;
