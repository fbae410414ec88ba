package ai.kubernaut.e2e.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 POST on its own connection ({@code Connection: close}), classified the way a rollout test needs it:
 * refused at connect, cut after the connection was accepted (reset or closed before a complete answer; whether
 * the whole request had been written by then), no answer in time, or answered. A connection of its own makes
 * every failure the server's: a pooled keep-alive connection would add the client-side race with the server's
 * idle close, which HTTP clients paper over by retrying on their own.
 */
final class OneShotHttp {

    enum Failure {
        /** answered (any status) */
        NONE,
        /** connect refused: nothing listens on the port (any more) */
        REFUSED,
        /** the connection was accepted, then reset or closed before a complete answer */
        CUT,
        /** no answer (or no connection) within the time allowed */
        NO_ANSWER
    }

    record Result(Failure failure, boolean requestSent, int code, Map<String, String> headers, String body, String error) {
    }

    private OneShotHttp() {
    }

    static Result post(String host, int port, String path, byte[] body, Map<String, String> headers,
                       int connectTimeoutMillis, int answerTimeoutMillis) {
        boolean sent = false;
        try (Socket socket = new Socket()) {
            try {
                socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            } catch (ConnectException e) {
                boolean refused = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("refused");
                return new Result(refused ? Failure.REFUSED : Failure.NO_ANSWER, false, -1, Map.of(), "", e.toString());
            } catch (SocketTimeoutException e) {
                return new Result(Failure.NO_ANSWER, false, -1, Map.of(), "", "connect: " + e);
            }
            socket.setSoTimeout(Math.max(1, answerTimeoutMillis));
            StringBuilder head = new StringBuilder();
            head.append("POST ").append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n")
                    .append("Connection: close\r\n");
            headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            sent = true;
            return read(new BufferedInputStream(socket.getInputStream()));
        } catch (SocketTimeoutException e) {
            return new Result(Failure.NO_ANSWER, sent, -1, Map.of(), "", e.toString());
        } catch (IOException e) {
            return new Result(Failure.CUT, sent, -1, Map.of(), "", e.toString());
        }
    }

    /** One answer from {@code in} (status, headers, body by Content-Length or chunks); EOF before it ends is a cut. */
    static Result read(InputStream in) throws IOException {
        String status = line(in, true);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP answer: " + status);
        }
        int code = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in, false); !h.isEmpty(); h = line(in, false)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
        }
        byte[] body;
        try {
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = chunked(in);
            } else if (headers.containsKey("content-length")) {
                body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
                if (body.length < Integer.parseInt(headers.get("content-length"))) {
                    throw new EOFException("answer body cut at " + body.length + " bytes");
                }
            } else {
                body = in.readAllBytes();
            }
        } catch (IOException e) {
            throw new IOException("after status " + code + ": " + e, e);
        }
        return new Result(Failure.NONE, true, code, headers, new String(body, StandardCharsets.UTF_8), "");
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in, false);
            int semicolon = size.indexOf(';');
            int n = Integer.parseInt((semicolon >= 0 ? size.substring(0, semicolon) : size).trim(), 16);
            if (n == 0) {
                while (!line(in, false).isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(n);
            if (chunk.length < n) {
                throw new EOFException("chunk cut at " + chunk.length + " of " + n + " bytes");
            }
            body.writeBytes(chunk);
            line(in, false);
        }
    }

    /** A CRLF-terminated line; EOF before it ends is a cut ({@code first}: before any byte of the answer). */
    private static String line(InputStream in, boolean first) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(first && line.size() == 0 ? "connection closed without an answer"
                        : "connection closed in the middle of the answer");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }
}
