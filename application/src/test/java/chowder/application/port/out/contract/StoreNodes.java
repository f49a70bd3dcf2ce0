package chowder.application.port.out.contract;

/**
 * The stores a contract runs against: the ports of one node, and those of a second node over the same data (a store
 * kept in memory has no second node: it answers for both).
 */
public interface StoreNodes extends AutoCloseable {
    <T> T port(Class<T> type);

    <T> T otherNode(Class<T> type);

    /** Releases what the stores hold (connections, a database); nothing for stores in memory. */
    @Override
    void close();
}
