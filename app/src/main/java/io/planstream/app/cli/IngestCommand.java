package io.planstream.app.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import io.planstream.app.kafka.PlatformProducer;
import io.planstream.ingest.Accepted;
import io.planstream.ingest.ImagePublisher;
import io.planstream.ingest.KafkaUnavailableException;
import io.planstream.ingest.Upload;
import io.planstream.ingest.UploadService;
import io.planstream.ingest.image.ImageLimits;
import io.planstream.ingest.image.InvalidImageException;
import io.planstream.ingest.image.UploadValidator;
import io.planstream.platform.KafkaPlatform;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Uploads files and folders to a running server, or straight to Kafka. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Upload image files and folders (searched recursively for .png, .jpg, .jpeg, .gif, .bmp).",
                "By default to a running server (--url); with --kafka and --registry straight to a Kafka cluster.",
                "Exits 1 when any file was rejected, after uploading all the others."})
final class IngestCommand implements Callable<Integer> {

    static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp");

    @Parameters(arity = "1..*", paramLabel = "PATH", description = "Image files or folders.")
    List<Path> paths;

    @CommandLine.Mixin
    ServerOptions server;

    @Option(names = "--kafka", description = "Write straight to this Kafka cluster (bootstrap servers) instead of a server.")
    String kafka;

    @Option(names = "--registry", description = "Schema registry URL; required with --kafka.")
    String registry;

    @Option(names = "--kafka-config", paramLabel = "FILE", description = {"With --kafka: a properties file of client settings, as Kafka's own"
            + " tools take with --command-config (security.protocol, sasl.*, ssl.*, ...); schema.registry.* and basic.auth.* keys go to the"
            + " registry client."})
    Path kafkaConfig;

    @Option(names = "--kafka-property", paramLabel = "KEY=VALUE", description = "With --kafka: one client setting (repeatable; wins over --kafka-config).")
    Map<String, String> kafkaProperties = new LinkedHashMap<>();

    @Option(names = "--format", defaultValue = "auto", description = "auto, rplan or picture (default ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--source", defaultValue = "cli", description = "Source name stored with each image (default ${DEFAULT-VALUE}).")
    String source;

    @Option(names = "--meta", description = "Metadata for every file, KEY=VALUE (repeatable).")
    Map<String, String> meta = new HashMap<>();

    @Option(names = "--concurrency", defaultValue = "4", description = "Uploads in flight (default ${DEFAULT-VALUE}).")
    int concurrency;

    @Override
    public Integer call() throws Exception {
        checkArguments();
        List<Path> files = collectFiles(paths);
        if (files.isEmpty()) {
            throw new PlanstreamCommand.UsageException("no image files under " + paths);
        }
        Map<String, String> formatParam = "auto".equals(format) ? Map.of() : Map.of("format", format);
        Sink sink = kafka == null ? new HttpSink(new HttpUploader(server.url, server.key), source, formatParam, meta) : KafkaSink.open(kafka, registry, clientSettings(), source, format, meta);
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try (sink; ProgressBar bar = Progress.bar("ingest", files.size(), "files")) {
            List<Future<?>> futures = new ArrayList<>();
            for (Path file : files) {
                futures.add(pool.submit(() -> {
                    outcomes.add(sink.send(file));
                    bar.step();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception ex ? ex : e;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        return summarize(outcomes, (System.nanoTime() - start) / 1e9);
    }

    private void checkArguments() {
        if (!Set.of("auto", "rplan", "picture").contains(format)) {
            throw new PlanstreamCommand.UsageException("--format must be auto, rplan or picture, got '" + format + "'");
        }
        if (concurrency < 1 || concurrency > 256) {
            throw new PlanstreamCommand.UsageException("--concurrency must be 1..256, got " + concurrency);
        }
        if (kafka != null && (registry == null || registry.isBlank())) {
            throw new PlanstreamCommand.UsageException("--registry is required with --kafka (the schema registry the cluster's clients use)");
        }
        if (kafka == null && (kafkaConfig != null || !kafkaProperties.isEmpty())) {
            throw new PlanstreamCommand.UsageException("--kafka-config and --kafka-property need --kafka (an upload through --url uses the server's settings)");
        }
        if (kafkaConfig != null && !Files.isReadable(kafkaConfig)) {
            throw new PlanstreamCommand.UsageException("--kafka-config: cannot read " + kafkaConfig);
        }
        for (Path p : paths) {
            if (!Files.exists(p)) {
                throw new PlanstreamCommand.UsageException("no such file or folder: " + p);
            }
        }
    }

    /** The settings of --kafka-config, then of --kafka-property, which win; "bootstrap.servers" is --kafka's. */
    Map<String, String> clientSettings() throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        if (kafkaConfig != null) {
            Properties file = new Properties();
            try (var in = Files.newBufferedReader(kafkaConfig)) {
                file.load(in);
            }
            file.stringPropertyNames().forEach(k -> settings.put(k, file.getProperty(k)));
        }
        settings.putAll(kafkaProperties);
        if (settings.containsKey("bootstrap.servers")) {
            throw new PlanstreamCommand.UsageException("bootstrap.servers comes from --kafka, not from --kafka-config or --kafka-property");
        }
        return settings;
    }

    static List<Path> collectFiles(List<Path> paths) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).filter(IngestCommand::hasImageExtension).sorted().forEach(files::add);
                }
            } else {
                // A file named on the command line is always sent: the server says what is wrong with it.
                files.add(p);
            }
        }
        return files;
    }

    private static boolean hasImageExtension(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    static String contentTypeOf(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".png")) {
            return "image/png";
        }
        if (name.endsWith(".jpg") || name.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        if (name.endsWith(".gif")) {
            return "image/gif";
        }
        if (name.endsWith(".bmp")) {
            return "image/bmp";
        }
        return "application/octet-stream";
    }

    private static int summarize(List<Outcome> outcomes, double seconds) {
        List<Outcome> rejected = outcomes.stream().filter(o -> o.id() == null).sorted((a, b) -> a.file().compareTo(b.file())).toList();
        int accepted = outcomes.size() - rejected.size();
        System.out.printf("accepted %d, rejected %d of %d files in %.1f s (%.1f files/s)%n", accepted, rejected.size(),
                outcomes.size(), seconds, outcomes.size() / Math.max(seconds, 1e-9));
        Map<String, List<Outcome>> byReason = new TreeMap<>();
        rejected.forEach(o -> byReason.computeIfAbsent(o.error(), k -> new ArrayList<>()).add(o));
        byReason.forEach((reason, list) -> {
            System.out.printf("  %s (%d):%n", reason, list.size());
            list.stream().limit(20).forEach(o -> System.out.printf("    %s: %s%n", o.file(), o.message()));
            if (list.size() > 20) {
                System.out.printf("    ... and %d more%n", list.size() - 20);
            }
        });
        return rejected.isEmpty() ? PlanstreamCommand.EXIT_OK : PlanstreamCommand.EXIT_FAILED;
    }

    /** One file's outcome: its id when accepted, else the reason. */
    record Outcome(Path file, String id, String error, String message) {
    }

    /** Where files go. */
    interface Sink extends AutoCloseable {
        Outcome send(Path file) throws Exception;

        @Override
        default void close() {
        }
    }

    /** Through a server's upload API. */
    record HttpSink(HttpUploader uploader, String source, Map<String, String> formatParam, Map<String, String> meta) implements Sink {
        @Override
        public Outcome send(Path file) throws Exception {
            byte[] bytes = Files.readAllBytes(file);
            Map<String, String> query = new LinkedHashMap<>(formatParam);
            query.put("source", source);
            query.put("filename", file.getFileName().toString());
            meta.forEach((k, v) -> query.put("meta." + k, v));
            HttpUploader.Result r = uploader.upload(bytes, contentTypeOf(file), query);
            return r.accepted() ? new Outcome(file, r.id(), null, null) : new Outcome(file, null, r.error(), r.message());
        }
    }

    /** Straight to Kafka, validated here exactly as the server would. */
    static final class KafkaSink implements Sink {
        private final KafkaPlatform platform;
        private final ImagePublisher publisher;
        private final UploadService uploads;
        private final String source;
        private final String format;
        private final Map<String, String> meta;

        private KafkaSink(KafkaPlatform platform, String source, String format, Map<String, String> meta) {
            this.platform = platform;
            this.publisher = new ImagePublisher(platform.clientProperties(), platform.topics().images(), Duration.ofSeconds(30),
                platform.topics().imageMaxMessageBytes());
            this.uploads = new UploadService(new UploadValidator(ImageLimits.defaults()), publisher, null, 64, Clock.systemUTC());
            this.source = source;
            this.format = format;
            this.meta = meta;
        }

        static KafkaSink open(String bootstrap, String registry, Map<String, String> settings, String source, String format,
                Map<String, String> meta) {
            Map<String, Object> clients = new HashMap<>();
            Map<String, Object> serdes = new HashMap<>();
            settings.forEach((k, v) -> (PlatformProducer.isSerdeKey(k) ? serdes : clients).put(k, v));
            clients.put("bootstrap.servers", bootstrap);
            serdes.put("schema.registry.url", registry);
            KafkaPlatform platform = KafkaPlatform.builder().optClientProperties(clients).optSerdeConfig(serdes).start();
            return new KafkaSink(platform, source, format, meta);
        }

        @Override
        public Outcome send(Path file) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            Upload upload = new Upload(bytes, contentTypeOf(file), null, "auto".equals(format) ? null : format, source,
                    file.getFileName().toString(), meta);
            try {
                Accepted a = uploads.accept(upload);
                return new Outcome(file, a.id(), null, null);
            } catch (InvalidImageException e) {
                return new Outcome(file, null, e.code(), e.getMessage());
            } catch (IllegalArgumentException e) {
                return new Outcome(file, null, "invalid_upload", e.getMessage());
            } catch (KafkaUnavailableException e) {
                return new Outcome(file, null, "kafka_unavailable", e.getMessage());
            }
        }

        @Override
        public void close() {
            publisher.close();
            platform.close();
        }
    }
}
