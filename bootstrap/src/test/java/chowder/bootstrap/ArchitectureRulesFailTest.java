package chowder.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import chowder.adapter.planted.AdapterUsingAService;
import chowder.adapter.planted.PublicPortImplementation;
import chowder.application.planted.ServiceHoldingAUri;
import chowder.bootstrap.cli.planted.CommandUsingTheStore;
import chowder.application.planted.ServiceOpeningAConnection;
import chowder.application.planted.ServiceReadingAFile;
import chowder.application.port.in.planted.InPortUsingAnOutPort;
import chowder.application.port.planted.PortUsingAService;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** Each rule of {@link ArchitectureTest} catches a violation planted for it (test classes, outside the main check). */
class ArchitectureRulesFailTest {

    @Test
    void anAdapterUsingAServiceBreaksTheRule() {
        assertViolated(ArchitectureTest.adaptersUseOnlyPortsAndTheDomainOfTheApplication, AdapterUsingAService.class, "TurnService");
    }

    @Test
    void aPortUsingAServiceBreaksTheRule() {
        assertViolated(ArchitectureTest.portsNeverDependOnServices, PortUsingAService.class, "TurnService");
    }

    @Test
    void anInPortExposingAnOutPortBreaksTheRule() {
        assertViolated(ArchitectureTest.inPortsDoNotExposeOutPorts, InPortUsingAnOutPort.class, "AgentGatewayPort");
    }

    @Test
    void applicationCodeDoingIoBreaksTheRuleAndAUriDoesNot() {
        assertViolated(ArchitectureTest.applicationUsesNoNetworkDatabaseOrFileSystemApi, ServiceReadingAFile.class, "java.nio.file.Files");
        assertViolated(ArchitectureTest.applicationUsesNoNetworkDatabaseOrFileSystemApi, ServiceOpeningAConnection.class, "java.sql.DriverManager");
        JavaClasses uri = new ClassFileImporter().importClasses(ServiceHoldingAUri.class);
        assertThat(ArchitectureTest.applicationUsesNoNetworkDatabaseOrFileSystemApi.evaluate(uri).hasViolation()).isFalse();
    }

    @Test
    void aPublicPortImplementationBreaksTheRule() {
        assertViolated(ArchitectureTest.portImplementationsArePackagePrivate, PublicPortImplementation.class, "PublicPortImplementation");
    }

    @Test
    void aCommandReachingPastTheUseCasesBreaksTheRule() {
        assertViolated(ArchitectureTest.theCommandLineDrivesUseCasesOnly, CommandUsingTheStore.class, "MasterKeyRotation");
    }

    private static void assertViolated(ArchRule rule, Class<?> planted, String named) {
        EvaluationResult result = rule.evaluate(new ClassFileImporter().importClasses(planted));
        assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anySatisfy(detail -> assertThat(detail).contains(named));
    }
}
