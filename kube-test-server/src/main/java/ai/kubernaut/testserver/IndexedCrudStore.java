package ai.kubernaut.testserver;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.crud.Value;
import io.fabric8.mockwebserver.http.MockResponse;

import java.lang.reflect.Field;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * fabric8's CRUD store with its objects indexed by name, so that a request for one object (GET, PUT, PATCH or
 * DELETE by name, and a create's existence check) costs the same with 10,000 objects stored as with none.
 *
 * <p>The mock keeps every object in one map and answers each of those requests by testing every stored object
 * against the request's attributes (and a GET or DELETE first copies the whole map), so its server time grows
 * with everything stored, which a real kube-apiserver (one etcd key, or its watch cache) does not do. Here the
 * same test ({@link AttributeSet#matches}) runs on the objects of that name only: the answers are the mock's
 * answers. Lists, label and field selectors and watches still go to the mock (a real server's LIST costs
 * O(objects) too), with set-based label requirements added ({@link SetSelectorExtractor}), two things a real
 * server does added: a LIST with a {@code limit} answers in pages ({@link ListPages}), and a watch from a
 * resourceVersion starts with what changed since then ({@link WatchReplay}).
 */
final class IndexedCrudStore extends KubernetesCrudDispatcher {

    private static final String NAME = "name";

    private final NameIndexedMap objects = new NameIndexedMap();
    private final ReadWriteLock storeLock;
    private final AtomicLong lastResourceVersion;
    private final ListPages pages;

    IndexedCrudStore() {
        try {
            // the mock's map is created by CrudDispatcher's constructor and never handed out before this point
            Field map = CrudDispatcher.class.getDeclaredField("map");
            map.setAccessible(true);
            map.set(this, objects);
            Field lock = KubernetesCrudDispatcher.class.getDeclaredField("lock");
            lock.setAccessible(true);
            storeLock = (ReadWriteLock) lock.get(this);
            Field version = KubernetesCrudDispatcher.class.getDeclaredField("resourceVersion");
            version.setAccessible(true);
            lastResourceVersion = (AtomicLong) version.get(this);
            objects.versions = lastResourceVersion;
            SetSelectorExtractor.install(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("kubernetes-server-mock changed: cannot index its store", e);
        }
        pages = new ListPages(this::snapshot);
    }

    /** The stored objects a list query selects (storage order) and the resourceVersion they are at. */
    private ListPages.Snapshot snapshot(AttributeSet query) {
        storeLock.readLock().lock();
        try {
            List<String> items = new ArrayList<>();
            for (Map.Entry<AttributeSet, String> entry : objects.entrySet()) {
                if (entry.getKey().matches(query)) {
                    items.add(entry.getValue());
                }
            }
            return new ListPages.Snapshot(items, lastResourceVersion.get());
        } finally {
            storeLock.readLock().unlock();
        }
    }

    /**
     * A watch from a resourceVersion (an informer's, after its list) starts with the objects changed since then,
     * as a real server's does; the mock replays every object as ADDED whatever the version asked for, so each
     * informer would receive everything it had just listed a second time. Without a version, or from "0", the
     * mock's replay of everything stays (a real server's synthetic ADDED events for the current state).
     */
    @Override
    public MockResponse handleWatch(String path) {
        MockResponse response = super.handleWatch(path);
        String from = RequestAttributes.queryParameters(path.contains("?") ? path.substring(path.indexOf('?') + 1)
                : "").getOrDefault("resourceVersion", "");
        if (!from.matches("[0-9]+") || Long.parseLong(from) == 0 || response.getWebSocketListener() == null) {
            return response;
        }
        long since = Long.parseLong(from);
        WatchReplay.onlyChangedSince(response.getWebSocketListener(), since, storeLock.readLock(), objects,
                objects.removals);
        return response;
    }

    /** Used by the mock's POST (existence check), PUT and PATCH handlers, under its write lock. */
    @Override
    public Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        if (NameIndexedMap.singleName(query) == null) {
            return super.findResource(query);
        }
        return objects.named(query).stream().filter(e -> e.getKey().matches(query)).findFirst().orElse(null);
    }

    @Override
    public MockResponse handleGet(String path) {
        AttributeSet query = attributeExtractor.fromPath(path);
        if (!path.contains("watch=") && NameIndexedMap.singleName(query) == null) {
            Map<String, String> parameters = RequestAttributes.queryParameters(path.contains("?")
                    ? path.substring(path.indexOf('?') + 1) : "");
            if (!parameters.getOrDefault("continue", "").isEmpty()
                    || !parameters.getOrDefault("limit", "0").matches("0*")) {
                return pages.page(query, parameters);
            }
        }
        if (path.contains("watch=") || NameIndexedMap.singleName(query) == null) {
            return super.handleGet(path);
        }
        storeLock.readLock().lock();
        try {
            return objects.named(query).stream().filter(e -> e.getKey().matches(query)).findFirst()
                    .map(e -> new MockResponse().setResponseCode(200).setBody(e.getValue()))
                    .orElseGet(() -> new MockResponse().setResponseCode(404));
        } finally {
            storeLock.readLock().unlock();
        }
    }

    /** As the mock's delete by name: objects without finalizers go, others are marked (deletionTimestamp). */
    @Override
    public MockResponse handleDelete(String path) {
        AttributeSet query = attributeExtractor.fromPath(path);
        if (NameIndexedMap.singleName(query) == null) {
            return super.handleDelete(path);
        }
        storeLock.writeLock().lock();
        try {
            List<Map.Entry<AttributeSet, String>> matching = objects.named(query).stream()
                    .filter(e -> e.getKey().matches(query)).toList();
            for (Map.Entry<AttributeSet, String> entry : matching) {
                GenericKubernetesResource resource = Serialization.unmarshal(entry.getValue(),
                        GenericKubernetesResource.class);
                if (resource.getFinalizers().isEmpty()) {
                    processEvent(path, query, entry.getKey(), null, null);
                } else if (!resource.isMarkedForDeletion()) {
                    resource.getMetadata().setDeletionTimestamp(ZonedDateTime.now(ZoneOffset.UTC)
                            .truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
                    resource.getMetadata().setResourceVersion(String.valueOf(requestResourceVersion()));
                    processEvent(path, query, entry.getKey(), resource, Serialization.asJson(resource));
                }
            }
            return matching.isEmpty()
                    ? new MockResponse().setResponseCode(404)
                    : new MockResponse().setResponseCode(200).setBody(matching.get(0).getValue());
        } finally {
            storeLock.writeLock().unlock();
        }
    }

    /** Number of stored objects (for tests). */
    int size() {
        storeLock.readLock().lock();
        try {
            return objects.size();
        } finally {
            storeLock.readLock().unlock();
        }
    }

    /**
     * The mock's map (insertion ordered, as the mock's own), plus the keys of each object name. Only the mutations
     * the mock uses are allowed; anything else would bypass the index and throws.
     */
    static final class NameIndexedMap extends LinkedHashMap<AttributeSet, String> {

        private final Map<List<Value>, Set<AttributeSet>> byName = new HashMap<>();
        /** What left this map lately, for watches resumed from a resourceVersion ({@link WatchReplay}). */
        final Removals removals = new Removals();
        /** The store's resourceVersion counter (set once by the constructor). */
        AtomicLong versions;

        /** The name a query asks for, or null when it does not ask for exactly one (a list, a selector): then
         *  only a scan answers it. Reads the query only, so it needs no lock. */
        static List<Value> singleName(AttributeSet query) {
            Attribute name = query.getAttribute(NAME);
            if (name == null || name.getType() != AttributeType.WITH || name.getValues().size() != 1) {
                return null;
            }
            return name.getValues();
        }

        /** The stored entries that can match a query for one name (in storage order), or null as
         *  {@link #singleName}. Called under the store's lock. */
        List<Map.Entry<AttributeSet, String>> named(AttributeSet query) {
            List<Value> name = singleName(query);
            if (name == null) {
                return null;
            }
            Set<AttributeSet> keys = byName.getOrDefault(name, Set.of());
            List<Map.Entry<AttributeSet, String>> entries = new ArrayList<>(keys.size());
            for (AttributeSet key : keys) {
                entries.add(new AbstractMap.SimpleImmutableEntry<>(key, get(key)));
            }
            return entries;
        }

        @Override
        public String put(AttributeSet key, String value) {
            // the mock writes an update as remove(old attributes) + put(new): same attributes, nothing left
            removals.putBack(key);
            Attribute name = key.getAttribute(NAME);
            if (name != null) {
                byName.computeIfAbsent(name.getValues(), n -> new LinkedHashSet<>()).add(key);
            }
            return super.put(key, value);
        }

        @Override
        public String remove(Object key) {
            if (key instanceof AttributeSet set && containsKey(set)) {
                // a removal is a write of its own, as on a real server: a watch from the version before it hears of it
                removals.add(set, get(set), versions == null ? 0 : versions.incrementAndGet());
                Attribute name = set.getAttribute(NAME);
                if (name != null) {
                    Set<AttributeSet> keys = byName.get(name.getValues());
                    if (keys != null) {
                        keys.remove(set);
                        if (keys.isEmpty()) {
                            byName.remove(name.getValues());
                        }
                    }
                }
            }
            return super.remove(key);
        }

        @Override
        public void putAll(Map<? extends AttributeSet, ? extends String> m) {
            m.forEach(this::put);
        }

        @Override
        public void clear() {
            removals.clear();
            byName.clear();
            super.clear();
        }

        @Override
        public Set<Map.Entry<AttributeSet, String>> entrySet() {
            return Collections.unmodifiableSet(super.entrySet());
        }

        @Override
        public Set<AttributeSet> keySet() {
            return Collections.unmodifiableSet(super.keySet());
        }

        @Override
        public Collection<String> values() {
            return Collections.unmodifiableCollection(super.values());
        }

        @Override
        public String putIfAbsent(AttributeSet key, String value) {
            throw unindexed();
        }

        @Override
        public boolean remove(Object key, Object value) {
            throw unindexed();
        }

        @Override
        public String compute(AttributeSet key, BiFunction<? super AttributeSet, ? super String, ? extends String> f) {
            throw unindexed();
        }

        @Override
        public String computeIfAbsent(AttributeSet key, Function<? super AttributeSet, ? extends String> f) {
            throw unindexed();
        }

        @Override
        public String computeIfPresent(AttributeSet key,
                                       BiFunction<? super AttributeSet, ? super String, ? extends String> f) {
            throw unindexed();
        }

        @Override
        public String merge(AttributeSet key, String value,
                            BiFunction<? super String, ? super String, ? extends String> f) {
            throw unindexed();
        }

        @Override
        public String replace(AttributeSet key, String value) {
            throw unindexed();
        }

        @Override
        public boolean replace(AttributeSet key, String oldValue, String newValue) {
            throw unindexed();
        }

        @Override
        public void replaceAll(BiFunction<? super AttributeSet, ? super String, ? extends String> f) {
            throw unindexed();
        }

        private static UnsupportedOperationException unindexed() {
            return new UnsupportedOperationException("not supported by the name-indexed store");
        }
    }
}
