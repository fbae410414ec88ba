package ai.kubernaut.gateway.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Reads a request body, giving up as soon as it passes the limit (chunked bodies have no Content-Length). */
final class BoundedBody {

    private BoundedBody() {
    }

    static byte[] read(InputStream in, long limit) {
        if (in == null) {
            return new byte[0];
        }
        try {
            int cap = (int) Math.min(Integer.MAX_VALUE - 8, limit + 1);
            byte[] bytes = in.readNBytes(cap);
            if (bytes.length > limit) {
                throw ProblemException.payloadTooLarge(limit);
            }
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the request body failed", e);
        }
    }
}
