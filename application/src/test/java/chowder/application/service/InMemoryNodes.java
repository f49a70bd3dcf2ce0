package chowder.application.service;

import chowder.application.port.out.contract.StoreNodes;
import java.util.List;

/** The in-memory fakes of every store port, fresh and empty; memory has one node, so it answers for the other too. */
final class InMemoryNodes implements StoreNodes {
    private final List<Object> fakes;

    InMemoryNodes() {
        InMemoryStore store = new InMemoryStore();
        fakes = List.of(store, new InMemorySessions(), new InMemoryChannelSettings(store), new InMemorySkillSettings(store),
                new InMemoryModelUsage(), new InMemoryLimitCounters());
    }

    @Override
    public <T> T port(Class<T> type) {
        return fakes.stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no in-memory " + type.getSimpleName()));
    }

    @Override
    public <T> T otherNode(Class<T> type) {
        return port(type);
    }

    @Override
    public void close() {
        // nothing is held outside the fakes
    }
}
