package io.planstream.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The instructions of a Dockerfile, enough of them to compare with the manifests: continuation lines
 * joined, comments kept apart (the build command in the header names the image), exec-form arrays
 * parsed.
 */
record Dockerfile(Path file, List<Instruction> instructions, List<String> comments) {

    record Instruction(String keyword, String args) {
    }

    private static final Pattern BUILD_COMMAND = Pattern.compile("docker build -f (\\S+) -t (\\S+) \\.");
    private static final Pattern ENV_PAIR = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");

    static Dockerfile read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> instructions = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            String t = line.strip();
            if (t.startsWith("#")) {
                comments.add(t.substring(1).strip());
                continue;
            }
            if (t.isEmpty() && current.isEmpty()) {
                continue;
            }
            if (t.endsWith("\\")) {
                current.append(t, 0, t.length() - 1).append(' ');
                continue;
            }
            current.append(t);
            String joined = current.toString().strip();
            current.setLength(0);
            int space = joined.indexOf(' ');
            instructions.add(new Instruction(joined.substring(0, space).toUpperCase(java.util.Locale.ROOT), joined.substring(space + 1).strip()));
        }
        if (!current.isEmpty()) {
            throw new AssertionError(file + " ends inside a continued line");
        }
        return new Dockerfile(file, instructions, comments);
    }

    List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    /** Instructions of the last stage, the image that is shipped. */
    List<Instruction> finalStage(String keyword) {
        int from = 0;
        for (int i = 0; i < instructions.size(); i++) {
            if (instructions.get(i).keyword().equals("FROM")) {
                from = i;
            }
        }
        return instructions.subList(from, instructions.size()).stream().filter(i -> i.keyword().equals(keyword)).toList();
    }

    Instruction single(String keyword) {
        List<Instruction> found = finalStage(keyword);
        if (found.size() != 1) {
            throw new AssertionError(file.getFileName() + " should have one " + keyword + " in its final stage, has " + found.size());
        }
        return found.get(0);
    }

    /** The tag the header's build command gives the image. */
    String builtImage() {
        for (String c : comments) {
            Matcher m = BUILD_COMMAND.matcher(c);
            if (m.find() && Path.of(m.group(1)).getFileName().equals(file.getFileName())) {
                return m.group(2);
            }
        }
        throw new AssertionError(file.getFileName() + " has no `docker build -f ... -t IMAGE .` line in its header");
    }

    /** Default values of every ARG, first declaration wins. */
    Map<String, String> args() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : all("ARG")) {
            int eq = i.args().indexOf('=');
            if (eq > 0) {
                out.putIfAbsent(i.args().substring(0, eq), i.args().substring(eq + 1));
            }
        }
        return out;
    }

    /** ENV of the final stage, quotes removed. */
    Map<String, String> env() {
        Map<String, String> out = new LinkedHashMap<>();
        for (Instruction i : finalStage("ENV")) {
            Matcher m = ENV_PAIR.matcher(i.args());
            while (m.find()) {
                String v = m.group(2);
                out.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            }
        }
        return out;
    }

    /** An exec-form JSON array (ENTRYPOINT, CMD, VOLUME) as its strings. */
    static List<String> execForm(String args) {
        String t = args.strip();
        if (!t.startsWith("[") || !t.endsWith("]")) {
            throw new AssertionError("expected the exec form [\"...\"], got " + args);
        }
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(t);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The value after {@code option} in a command line. */
    static Optional<String> option(List<String> command, String option) {
        int i = command.indexOf(option);
        return i >= 0 && i + 1 < command.size() ? Optional.of(command.get(i + 1)) : Optional.empty();
    }
}
