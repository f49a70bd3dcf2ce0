package chowder.e2e;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Resolves a test's parameter of type {@code T} to one environment per test run: started by the first test class that
 * asks for it, then shared by every later class, and closed after the last class that uses it ({@link GroupedClassOrder}
 * runs them one after another and knows the last), or when the run ends (JUnit closes an {@link AutoCloseable} kept in
 * its root store) when the classes ran in another order. Real gateways cost tens of seconds of CPU to start, so the
 * classes a suite is split into by feature share them instead of starting their own. Closed too early, the next class
 * would only start a new one.
 */
abstract class SharedEnvironment<T extends AutoCloseable> implements ParameterResolver, AfterAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedEnvironment.class);

    private final Class<T> type;
    private final Supplier<T> start;

    SharedEnvironment(Class<T> type, Supplier<T> start) {
        this.type = type;
        this.start = start;
    }

    /** Starts the parts of {@code environment}; when that fails, closes whatever of it started before rethrowing. */
    static <T extends AutoCloseable> T started(T environment, Starter<T> start) {
        try {
            start.start(environment);
            return environment;
        } catch (RuntimeException | Error e) {
            closeAfter(e, environment);
            throw e;
        } catch (Exception e) {
            closeAfter(e, environment);
            throw new IllegalStateException("the environment did not start", e);
        }
    }

    private static void closeAfter(Throwable failure, AutoCloseable environment) {
        try {
            environment.close();
        } catch (Exception closing) {
            failure.addSuppressed(closing);
        }
    }

    /** What starts an environment's parts. */
    interface Starter<T> {
        void start(T environment) throws Exception;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == type;
    }

    @Override
    public T resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).computeIfAbsent(type, key -> start.get(), type);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (GroupedClassOrder.isLastUserOf(getClass(), context.getRequiredTestClass())) {
            T environment = context.getRoot().getStore(NAMESPACE).remove(type, type);
            if (environment != null) {
                environment.close();
            }
        }
    }
}
