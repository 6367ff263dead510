package io.planstream.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The files under {@code deploy/}, read the way the tools that consume them read them: YAML documents
 * (every one of a multi-document file), Kustomize's resource lists, and where a {@code kubectl} or
 * {@code kustomize} binary is on the PATH, the rendered overlays.
 */
final class Manifests {

    /** The deploy module; surefire passes it, an IDE run from the module falls back to the working directory. */
    static final Path DEPLOY = Path.of(System.getProperty("planstream.deploy.dir", ".")).toAbsolutePath().normalize();
    static final Path ROOT = Path.of(System.getProperty("planstream.root.dir", DEPLOY.resolve("..").toString()))
            .toAbsolutePath().normalize();
    static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    static final Path BASE = KUBERNETES.resolve("base");
    static final Path OVERLAYS = KUBERNETES.resolve("overlays");
    static final Path COMPOSE = DEPLOY.resolve("compose");
    static final Path DOCKER = DEPLOY.resolve("docker");
    static final String KUSTOMIZATION = "kustomization.yaml";
    /** The class that exports the embedders' lag: its constants name the series the autoscaler queries. */
    static final Path EMBEDDER_LAG_METRIC =
            ROOT.resolve("app/src/main/java/io/planstream/app/embedder/EmbedderLagMetric.java");

    private static final long RENDER_TIMEOUT_S = 60;

    private Manifests() {
    }

    /** Every YAML file of the deploy module, build output excluded. */
    static List<Path> yamlFiles() {
        try (Stream<Path> files = Files.walk(DEPLOY)) {
            return files.filter(p -> !DEPLOY.relativize(p).startsWith("target"))
                    .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A loader that refuses what kubectl and compose would refuse or silently misread: duplicate keys
     * (the later one would win), anything but plain YAML types.
     */
    static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return new Yaml(new SafeConstructor(options));
    }

    /** The documents of a file, empty ones (a trailing {@code ---}) left out. */
    static List<Object> documents(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return documents(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Object> documents(Reader reader) {
        List<Object> out = new ArrayList<>();
        for (Object doc : yaml().loadAll(reader)) {
            if (doc != null) {
                out.add(doc);
            }
        }
        return out;
    }

    /** The one document of a file that must hold exactly one mapping. */
    static Node document(Path file) {
        List<Object> docs = documents(file);
        if (docs.size() != 1) {
            throw new AssertionError(file + " should hold one document, found " + docs.size());
        }
        return Node.of(docs.get(0), file.getFileName().toString());
    }

    /** Every Kubernetes object a file holds. */
    static List<Resource> objects(Path file) {
        List<Resource> out = new ArrayList<>();
        for (Object doc : documents(file)) {
            if (doc instanceof Map<?, ?> m && m.containsKey("kind")) {
                out.add(new Resource(file, Node.of(m, file.getFileName().toString())));
            }
        }
        return out;
    }

    /** Every folder under deploy/kubernetes that holds a kustomization. */
    static List<Path> kustomizations() {
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            return files.filter(p -> p.getFileName().toString().equals(KUSTOMIZATION)).map(Path::getParent).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> overlays() {
        return kustomizations().stream().filter(p -> p.startsWith(OVERLAYS)).toList();
    }

    /**
     * The objects a kustomization lists in {@code resources}, folders followed recursively, before
     * any patch: what its patches may target.
     */
    static List<Resource> resources(Path kustomizationDir) {
        Node k = document(kustomizationDir.resolve(KUSTOMIZATION));
        List<Resource> out = new ArrayList<>();
        for (Node entry : k.list("resources")) {
            Path p = kustomizationDir.resolve(entry.text()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(resources(p));
            } else {
                out.addAll(objects(p));
            }
        }
        return out;
    }

    static Resource find(List<Resource> objects, String kind, String name) {
        return objects.stream().filter(r -> r.is(kind, name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    static List<Resource> all(List<Resource> objects, String kind) {
        return objects.stream().filter(r -> r.kind().equals(kind)).toList();
    }

    /** A binary that renders kustomizations, if the machine has one: kubectl (kustomize is built in) or kustomize. */
    static Optional<List<String>> renderer() {
        for (String dir : Objects.requireNonNullElse(System.getenv("PATH"), "").split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            if (Files.isExecutable(Path.of(dir, "kubectl"))) {
                return Optional.of(List.of(Path.of(dir, "kubectl").toString(), "kustomize"));
            }
            if (Files.isExecutable(Path.of(dir, "kustomize"))) {
                return Optional.of(List.of(Path.of(dir, "kustomize").toString(), "build"));
            }
        }
        return Optional.empty();
    }

    private static final Map<Path, List<Resource>> RENDERED = new ConcurrentHashMap<>();

    /**
     * What {@code kubectl kustomize DIR} prints, as objects; fails with the tool's message when it
     * refuses. Rendered once per test JVM: the files do not change while the tests run.
     */
    static List<Resource> render(List<String> renderer, Path kustomizationDir) {
        return RENDERED.computeIfAbsent(kustomizationDir, dir -> renderNow(renderer, dir));
    }

    private static List<Resource> renderNow(List<String> renderer, Path kustomizationDir) {
        List<String> command = new ArrayList<>(renderer);
        command.add(kustomizationDir.toString());
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(RENDER_TIMEOUT_S, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(String.join(" ", command) + " did not finish within " + RENDER_TIMEOUT_S + " s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                            + Files.readString(err));
                }
                List<Resource> objects = new ArrayList<>();
                try (Reader r = Files.newBufferedReader(out, StandardCharsets.UTF_8)) {
                    for (Object doc : documents(r)) {
                        objects.add(new Resource(kustomizationDir, Node.of(doc, DEPLOY.relativize(kustomizationDir).toString())));
                    }
                }
                return objects;
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The application's own defaults: app/src/main/resources/application.properties. */
    static Properties applicationProperties() {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(ROOT.resolve("app/src/main/resources/application.properties"))) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** {@code quarkus.http.port} of the application, the port every container listens on. */
    static int httpPort() {
        return Integer.parseInt(Objects.requireNonNull(applicationProperties().getProperty("quarkus.http.port"),
                "quarkus.http.port is not set in application.properties").trim());
    }

    /** The value of a {@code static final String} constant of the embedders' lag metric, as its source declares it. */
    static String embedderLagConstant(String constant) {
        Pattern declaration = Pattern.compile("static final String " + Pattern.quote(constant) + " = \"([^\"]+)\";");
        Matcher m = declaration.matcher(readString(EMBEDDER_LAG_METRIC));
        if (!m.find()) {
            throw new AssertionError(EMBEDDER_LAG_METRIC + " declares no String constant " + constant);
        }
        return m.group(1);
    }

    /**
     * The Prometheus name of the embedders' lag gauge: Micrometer's name with its dots as underscores (a gauge
     * takes no suffix, and it has no base unit).
     */
    static String embedderLagSeries() {
        return embedderLagConstant("NAME").replace('.', '_');
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String projectVersion() {
        return Objects.requireNonNull(System.getProperty("planstream.project.version"),
                "run through Maven: planstream.project.version comes from the POM");
    }

    /** One Kubernetes object and the file (or rendered kustomization) it came from. */
    record Resource(Path source, Node node) {

        String kind() {
            return node.get("kind").text();
        }

        String name() {
            return node.get("metadata").get("name").text();
        }

        boolean is(String kind, String name) {
            return kind().equals(kind) && name().equals(name);
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + DEPLOY.relativize(source) + ")";
        }
    }
}
