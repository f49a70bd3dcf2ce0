package chowder.bootstrap;

import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.Service;
import com.google.inject.AbstractModule;
import com.google.inject.Key;
import com.google.inject.TypeLiteral;
import com.google.inject.multibindings.ProvidesIntoSet;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Set;

/**
 * The one meter registry, Prometheus-backed, that every adapter records into (inject {@link MeterRegistry}) and
 * {@code GET /metrics} serves; with the JVM's and the process's own meters bound to it.
 */
final class MetricsModule extends AbstractModule {
    /** The JVM's garbage collection meters, which listen to its notifications until stopped. */
    static final Key<Set<Service>> SERVICES = Key.get(new TypeLiteral<>() { }, Names.named(MetricsModule.SERVICES_NAME));
    private static final String SERVICES_NAME = "chowder.metrics";

    @Override
    protected void configure() {
        bind(MeterRegistry.class).to(PrometheusMeterRegistry.class);
    }

    @Provides
    @Singleton
    static PrometheusMeterRegistry prometheusRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<MeterBinder> jvmAndProcess = List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new ClassLoaderMetrics(),
                new JvmInfoMetrics(), new ProcessorMetrics(), new UptimeMetrics(), new FileDescriptorMetrics());
        jvmAndProcess.forEach(binder -> binder.bindTo(registry));
        return registry;
    }

    /** Garbage collection meters listen to the JVM's notifications until closed. */
    @ProvidesIntoSet
    @Singleton
    @Named(SERVICES_NAME)
    static Service gcMetrics(PrometheusMeterRegistry registry) {
        JvmGcMetrics gc = new JvmGcMetrics();
        return new AbstractIdleService() {
            @Override
            protected void startUp() {
                gc.bindTo(registry);
            }

            @Override
            protected void shutDown() {
                gc.close();
            }

            @Override
            protected String serviceName() {
                return "gc-metrics";
            }
        };
    }
}
