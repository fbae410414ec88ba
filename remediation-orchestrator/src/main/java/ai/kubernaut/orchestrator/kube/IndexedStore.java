package ai.kubernaut.orchestrator.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An informer's item store ({@link SupervisedInformer#start} with a store) that keeps only what it admits, as the
 * copy {@link #admit} makes (a slim one: what readers need, not what the server sent), and indexes what it keeps.
 * The informer hands it each item as it decodes it (a page of a list, a watch event), so a declined item or the
 * parts a copy leaves out are garbage at once. Its own indexes, because fabric8's would keep an entry for every
 * item delivered, kept or not. Items outside its {@link #narrow scope} are neither kept nor indexed.
 *
 * <p>What {@link #put} returns is what fabric8 turns into handler events: the previous kept copy, so that an item
 * that leaves the store (declined now) still reaches the handlers as an update from what it was.
 *
 * <p>Thread-safe: the informer writes, reconciles read.
 */
public class IndexedStore<T extends HasMetadata> implements ItemStore<T> {

    private final Map<String, T> items = new HashMap<>();
    private final Map<String, Function<T, List<String>>> indexers;
    /** index name -> index value -> keys. */
    private final Map<String, Map<String, Set<String>>> indexes = new HashMap<>();
    private Predicate<T> scope = item -> true;

    /** @param indexers index name -> the values an item is found under (computed on the kept copy) */
    public IndexedStore(Map<String, Function<T, List<String>>> indexers) {
        this.indexers = Map.copyOf(indexers);
        indexers.keySet().forEach(name -> indexes.put(name, new HashMap<>()));
    }

    /** What to keep of an item the informer delivers: a copy, the item itself, or null for nothing. */
    protected T admit(T item) {
        return item;
    }

    /** Called after {@link #put} kept {@code kept} under {@code key}, under the store's lock. */
    protected void kept(String key, T kept) {
    }

    /** A new metadata with the identity of {@code from}: name, namespace, uid, resourceVersion (for slim copies). */
    public static ObjectMeta identityOf(ObjectMeta from) {
        ObjectMeta m = new ObjectMeta();
        m.setName(from.getName());
        m.setNamespace(from.getNamespace());
        m.setUid(from.getUid());
        m.setResourceVersion(from.getResourceVersion());
        return m;
    }

    @Override
    public String getKey(T item) {
        return Cache.metaNamespaceKeyFunc(item);
    }

    @Override
    public synchronized T put(String key, T item) {
        T kept = scope.test(item) ? admit(item) : null;
        T old = kept == null ? items.remove(key) : items.put(key, kept);
        reindex(key, old, kept);
        if (kept != null) {
            kept(key, kept);
        }
        return old;
    }

    @Override
    public synchronized T remove(String key) {
        T old = items.remove(key);
        reindex(key, old, null);
        return old;
    }

    /** Forgets a kept item without telling the informer (it is not deleted; this store no longer keeps it). */
    protected synchronized void drop(String key) {
        reindex(key, items.remove(key), null);
    }

    /** Keeps from now on only the items {@code scope} accepts; the others go at once (no handler hears of it). */
    public synchronized void narrow(Predicate<T> scope) {
        this.scope = scope;
        for (Iterator<Map.Entry<String, T>> it = items.entrySet().iterator(); it.hasNext();) {
            Map.Entry<String, T> entry = it.next();
            if (!scope.test(entry.getValue())) {
                it.remove();
                reindex(entry.getKey(), entry.getValue(), null);
            }
        }
    }

    /** The kept items found under {@code value} in the index {@code index}. */
    public synchronized List<T> byIndex(String index, String value) {
        Set<String> keys = indexes.get(index).get(value);
        if (keys == null) {
            return List.of();
        }
        List<T> found = new ArrayList<>(keys.size());
        keys.forEach(key -> found.add(items.get(key)));
        return found;
    }

    @Override
    public synchronized Stream<String> keySet() {
        return new ArrayList<>(items.keySet()).stream();
    }

    @Override
    public synchronized Stream<T> values() {
        return new ArrayList<>(items.values()).stream();
    }

    @Override
    public synchronized int size() {
        return items.size();
    }

    @Override
    public synchronized T get(String key) {
        return items.get(key);
    }

    private void reindex(String key, T old, T now) {
        if (old == null && now == null) {
            return;
        }
        for (Map.Entry<String, Function<T, List<String>>> indexer : indexers.entrySet()) {
            Map<String, Set<String>> index = indexes.get(indexer.getKey());
            if (old != null) {
                for (String value : indexer.getValue().apply(old)) {
                    Set<String> keys = index.get(value);
                    if (keys != null && keys.remove(key) && keys.isEmpty()) {
                        index.remove(value);
                    }
                }
            }
            if (now != null) {
                for (String value : indexer.getValue().apply(now)) {
                    index.computeIfAbsent(value, v -> new LinkedHashSet<>(2)).add(key);
                }
            }
        }
    }
}
