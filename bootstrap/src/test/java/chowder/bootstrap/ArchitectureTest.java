package chowder.bootstrap;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The hexagon's dependency rules, checked over the compiled main classes of every module. */
@AnalyzeClasses(packages = "chowder", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule domainDependsOnTheJdkOnly = classes().that().resideInAPackage("chowder.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("chowder.domain..", "java..");

    @ArchTest
    static final ArchRule applicationDependsOnTheDomainOnly = classes().that().resideInAPackage("chowder.application..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("chowder.application..", "chowder.domain..", "java..");

    @ArchTest
    static final ArchRule adaptersNeverDependOnEachOther = slices().matching("chowder.adapter.(*)..")
            .should().notDependOnEachOther();

    @ArchTest
    static final ArchRule onlyBootstrapSeesBootstrap = noClasses().that().resideOutsideOfPackage("chowder.bootstrap..")
            .should().dependOnClassesThat().resideInAPackage("chowder.bootstrap..");

    @ArchTest
    static final ArchRule innerLayersNeverSeeAdapters = noClasses().that().resideInAnyPackage("chowder.domain..", "chowder.application..")
            .should().dependOnClassesThat().resideInAnyPackage("chowder.adapter..", "chowder.bootstrap..");

    /** A driving or driven adapter reaches the application through its ports only; bootstrap alone wires services. */
    @ArchTest
    static final ArchRule adaptersUseOnlyPortsAndTheDomainOfTheApplication = noClasses().that().resideInAPackage("chowder.adapter..")
            .should().dependOnClassesThat().resideInAPackage("chowder.application.service..");

    @ArchTest
    static final ArchRule portsNeverDependOnServices = noClasses().that().resideInAPackage("chowder.application.port..")
            .should().dependOnClassesThat().resideInAPackage("chowder.application.service..");

    /** What both sides exchange (requests, answers, listings) lives in {@code chowder.application.port} itself. */
    @ArchTest
    static final ArchRule inPortsDoNotExposeOutPorts = noClasses().that().resideInAPackage("chowder.application.port.in..")
            .should().dependOnClassesThat().resideInAPackage("chowder.application.port.out..");

    /**
     * The application does no I/O of its own: no network, database or file-system API (a {@code java.net.URI} is a value,
     * not I/O, and an {@code InputStream} handed through a port is the adapter's).
     */
    @ArchTest
    static final ArchRule applicationUsesNoNetworkDatabaseOrFileSystemApi = noClasses().that().resideInAPackage("chowder.application..")
            .should().dependOnClassesThat(JavaClass.Predicates.resideInAnyPackage("java.sql..", "java.nio.file..", "java.nio.channels..",
                    "java.net..").and(DescribedPredicate.not(JavaClass.Predicates.equivalentTo(java.net.URI.class)))
                    .or(JavaClass.Predicates.resideInAPackage("java.io").and(JavaClass.Predicates.simpleNameContaining("File"))))
            .as("the application uses no network, database or file-system API");

    @ArchTest
    static final ArchRule productionCodeNeverUsesTestDoubles = noClasses().that().resideOutsideOfPackage("chowder.testing..")
            .should().dependOnClassesThat().resideInAPackage("chowder.testing..");

    /**
     * Port implementations are reached through their adapter's Guice module, so they are package-private; the exceptions
     * are named with their reason: the model catalog is also the provisioner's configuration (bootstrap reads it), the
     * workspace files are also written by the provisioner's skills (another package of the adapter), and the provisioner
     * is also started by the sandbox package's lifecycle test.
     */
    @ArchTest
    static final ArchRule portImplementationsArePackagePrivate = classes().that().resideInAPackage("chowder.adapter..")
            .and().implement(JavaClass.Predicates.resideInAPackage("chowder.application.port.."))
            .and().doNotHaveFullyQualifiedName("chowder.adapter.openclaw.provisioner.ModelProviders")
            .and().doNotHaveFullyQualifiedName("chowder.adapter.openclaw.workspace.LocalWorkspaceFiles")
            .and().doNotHaveFullyQualifiedName("chowder.adapter.openclaw.provisioner.LocalGatewayProvisioner")
            .should().notBePublic()
            .as("port implementations are package-private: bound by their adapter's module, named by no one else");

    /** The command line is a driving adapter: it drives use cases and prints the API's JSON, never the runtime's insides. */
    @ArchTest
    static final ArchRule theCommandLineDrivesUseCasesOnly = noClasses().that().resideInAPackage("chowder.bootstrap.cli..")
            .should().dependOnClassesThat().resideInAnyPackage("chowder.bootstrap", "chowder.application.service..",
                    "chowder.application.port.out..", "chowder.adapter.persistence..", "chowder.adapter.openclaw..")
            .as("the command line uses in-ports, the domain and the HTTP adapter's JSON only");
}
