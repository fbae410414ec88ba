package ai.kubernaut.gateway.ingest.testing;

import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.utils.ResponseProvider;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Function;

/** A mock-server expectation reply whose status and body are computed once per request from the request. */
public final class DynamicReply implements ResponseProvider<Object> {

    /** Status and body of one reply. */
    public record Answer(int status, Object body) {
    }

    private final Function<RecordedRequest, Answer> fn;
    private final Map<RecordedRequest, Answer> answers = Collections.synchronizedMap(new WeakHashMap<>());
    private Headers headers = new Headers.Builder().build();

    public DynamicReply(Function<RecordedRequest, Answer> fn) {
        this.fn = fn;
    }

    private Answer answer(RecordedRequest request) {
        return answers.computeIfAbsent(request, fn);
    }

    @Override
    public int getStatusCode(RecordedRequest request) {
        return answer(request).status();
    }

    @Override
    public Object getBody(RecordedRequest request) {
        return answer(request).body();
    }

    @Override
    public Headers getHeaders() {
        return headers;
    }

    @Override
    public void setHeaders(Headers headers) {
        this.headers = headers;
    }
}
